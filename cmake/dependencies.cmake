# Every dependency is a Debian -dev package (scripts/install-deps); nothing is
# downloaded at build time.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)

# Asio, standalone and header-only (libasio-dev 1.22).
find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)
add_library(asio_standalone INTERFACE)
target_include_directories(asio_standalone SYSTEM INTERFACE ${ASIO_INCLUDE_DIR})
target_compile_definitions(asio_standalone INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED)
target_link_libraries(asio_standalone INTERFACE Threads::Threads)

# OpenSSL for TLS connections (libssl-dev).
find_package(OpenSSL 1.1.1 REQUIRED)

# LZ4 for v5 segment and v4 frame compression (liblz4-dev).
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)

# libdeflate for the CRC32 of v5 segments (libdeflate-dev): carry-less
# multiplication where the CPU has it, several times the table-driven speed.
pkg_check_modules(DEFLATE REQUIRED IMPORTED_TARGET libdeflate)

# Snappy for v4 frame compression (libsnappy-dev). Its .pc file is missing on
# some Debian releases, so fall back to searching for the header and library.
pkg_check_modules(SNAPPY IMPORTED_TARGET snappy)
add_library(snappy_lib INTERFACE)
if(SNAPPY_FOUND)
  target_link_libraries(snappy_lib INTERFACE PkgConfig::SNAPPY)
else()
  find_path(SNAPPY_INCLUDE_DIR snappy-c.h REQUIRED)
  find_library(SNAPPY_LIBRARY snappy REQUIRED)
  target_include_directories(snappy_lib SYSTEM INTERFACE ${SNAPPY_INCLUDE_DIR})
  target_link_libraries(snappy_lib INTERFACE ${SNAPPY_LIBRARY})
endif()
