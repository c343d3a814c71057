# Warnings for project targets; errors in CI. Sanitizers apply to every target.
function(async_cassandra_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
                                           -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual)
  # g++ 12 at -O2 reports these inside Asio's own headers after inlining
  # (any_io_executor copies, awaitable frame allocation): false positives.
  target_compile_options(${target} PRIVATE -Wno-array-bounds -Wno-mismatched-new-delete)
  if(ASYNC_CASSANDRA_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(ASYNC_CASSANDRA_SANITIZE)
  add_compile_options(-fsanitize=${ASYNC_CASSANDRA_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${ASYNC_CASSANDRA_SANITIZE})
  # g++ 12 warns that TSan ignores std::atomic_thread_fence, which Asio's
  # headers use; with -Werror that would stop every TSan build.
  if(ASYNC_CASSANDRA_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(-Wno-tsan)
  endif()
endif()
