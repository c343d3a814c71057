# cmake --install: the library, the public headers, a CMake package
# (find_package(async_cassandra CONFIG)) and async_cassandra.pc; for the
# Boost flavour async_cassandra_boost everywhere instead, so that both
# install side by side (the headers are the same files).
include(CMakePackageConfigHelpers)

set(ac_name ${ASYNC_CASSANDRA_NAME})
set(ASYNC_CASSANDRA_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/${ac_name})
get_target_property(ac_type async_cassandra TYPE)
if(ac_type STREQUAL "SHARED_LIBRARY")
  set(ASYNC_CASSANDRA_SHARED TRUE)
else()
  set(ASYNC_CASSANDRA_SHARED FALSE)
endif()

install(TARGETS async_cassandra EXPORT ${ac_name}-targets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# Only include/async_cassandra: src/ headers are internal.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/async_cassandra DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp")
install(EXPORT ${ac_name}-targets NAMESPACE async_cassandra:: DESTINATION ${ASYNC_CASSANDRA_CMAKE_DIR})

configure_package_config_file(cmake/async_cassandra-config.cmake.in
  ${PROJECT_BINARY_DIR}/${ac_name}-config.cmake INSTALL_DESTINATION ${ASYNC_CASSANDRA_CMAKE_DIR})
# 0.x: a new minor version may break the API.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(ac_compat SameMinorVersion)
else()
  set(ac_compat SameMajorVersion)
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/${ac_name}-config-version.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY ${ac_compat})
install(FILES ${PROJECT_BINARY_DIR}/${ac_name}-config.cmake ${PROJECT_BINARY_DIR}/${ac_name}-config-version.cmake
        DESTINATION ${ASYNC_CASSANDRA_CMAKE_DIR})

# pkg-config: prefix relative to the .pc file, so the install tree can move.
# Asio has no .pc on Debian: its directory goes in Cflags unless it is /usr/include.
set(pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH PC_PREFIX_FROM_PCDIR /prefix/${pc_dir} /prefix)
string(REGEX REPLACE "/$" "" PC_PREFIX_FROM_PCDIR "${PC_PREFIX_FROM_PCDIR}")
set(PC_ASIO_CFLAGS " -DASIO_STANDALONE -DASIO_NO_DEPRECATED")
set(ac_asio_dir ${ASIO_INCLUDE_DIR})
if(ASYNC_CASSANDRA_BOOST_ASIO)
  list(TRANSFORM ASYNC_CASSANDRA_FLAVOUR_DEFINITIONS PREPEND " -D" OUTPUT_VARIABLE PC_ASIO_CFLAGS)
  string(JOIN "" PC_ASIO_CFLAGS ${PC_ASIO_CFLAGS})
  set(ac_asio_dir ${Boost_INCLUDE_DIRS})
endif()
if(NOT ac_asio_dir IN_LIST CMAKE_CXX_IMPLICIT_INCLUDE_DIRECTORIES)
  string(PREPEND PC_ASIO_CFLAGS " -I${ac_asio_dir}")
endif()
# Snappy's .pc is missing on some Debian releases, so it goes in Libs.private.
set(PC_REQUIRES_PRIVATE "libssl libcrypto liblz4 libdeflate")
set(PC_LIBS_PRIVATE "-lsnappy")
configure_file(cmake/async_cassandra.pc.in ${PROJECT_BINARY_DIR}/${ac_name}.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/${ac_name}.pc DESTINATION ${pc_dir})
