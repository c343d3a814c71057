# The layers' include roots (src/CMakeLists.txt) hold: an upward include and
# an Asio header below metrics fail to compile, with a message naming them;
# a downward include compiles. Run by ctest with -DCXX=... -DLAYERS=<build>/src/layers -DWORK=<dir>.
file(MAKE_DIRECTORY ${WORK})
function(try_compile_probe root text out_ok out_log)
  file(WRITE ${WORK}/probe.cpp "${text}")
  set(extra)
  if(EXISTS ${LAYERS}/${root}/no_asio.hpp)
    set(extra -include ${LAYERS}/${root}/no_asio.hpp)
  endif()
  execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -DASIO_STANDALONE ${extra} -I${LAYERS}/${root} ${WORK}/probe.cpp
                  RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE e)
  if(rc EQUAL 0)
    set(${out_ok} TRUE PARENT_SCOPE)
  else()
    set(${out_ok} FALSE PARENT_SCOPE)
  endif()
  set(${out_log} "${o}${e}" PARENT_SCOPE)
endfunction()

# 1. connection may not include the session layer.
try_compile_probe(connection "#include \"session/session_impl.hpp\"\n" ok log)
if(ok OR NOT log MATCHES "session/session_impl.hpp: No such file")
  message(FATAL_ERROR "an upward include (connection -> session) compiled or failed for another reason:\n${log}")
endif()
# 2. ... nor a public header of the cluster layer.
try_compile_probe(connection "#include <async_cassandra/config.hpp>\n" ok log)
if(ok OR NOT log MATCHES "async_cassandra/config.hpp: No such file")
  message(FATAL_ERROR "an upward public include (connection -> cluster's config.hpp) compiled:\n${log}")
endif()
# 3. protocol may not use Asio.
try_compile_probe(protocol "#include <asio/error.hpp>\n" ok log)
if(ok OR NOT log MATCHES "poisoned \"asio\"")
  message(FATAL_ERROR "an Asio header compiled in the protocol layer:\n${log}")
endif()
# 4. The control: downward includes compile with the same roots.
try_compile_probe(connection "#include \"protocol/notation.hpp\"\n#include <async_cassandra/protocol/bytes.hpp>\n#include <async_cassandra/metrics.hpp>\nint main() {}\n" ok log)
if(NOT ok)
  message(FATAL_ERROR "a downward include (connection -> protocol, metrics) failed:\n${log}")
endif()
try_compile_probe(protocol "#include <async_cassandra/protocol/frame.hpp>\n#include <async_cassandra/error.hpp>\nint main() {}\n" ok log)
if(NOT ok)
  message(FATAL_ERROR "a downward include (protocol -> common) failed:\n${log}")
endif()
message(STATUS "layers: upward includes and Asio below metrics fail; downward includes compile")
