# Third-party dependencies. All of them come from Debian packages installed by
# scripts/install-deps.sh.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(date REQUIRED)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
# PostgreSQL's own parser, for query analysis (Debian: libpg-query-dev).
find_path(PG_QUERY_INCLUDE_DIR pg_query.h REQUIRED)
find_library(PG_QUERY_LIBRARY pg_query REQUIRED)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
# MySQL / MariaDB client: MariaDB Connector/C (Debian: libmariadb-dev).
pkg_check_modules(LIBMARIADB REQUIRED IMPORTED_TARGET libmariadb)
# HTTP server and client: `serve`'s endpoints, alert webhooks (Debian: libcpp-httplib-dev).
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# `serve`'s HTTP endpoints: an event-driven server built for hostile clients
# (Debian: libmicrohttpd-dev).
pkg_check_modules(MICROHTTPD REQUIRED IMPORTED_TARGET libmicrohttpd)
# HTTPS client of the BigQuery and Snowflake REST connectors, and RS256 JWT signing
# (Debian: libcurl4-openssl-dev, libssl-dev).
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)

# DuckDB is not packaged by Debian: scripts/fetch-duckdb.sh puts the official libduckdb.so
# and duckdb.h in build/duckdb. A system-wide install is found too. Without it the DuckDB
# connector reports that it is not in the build.
find_path(DUCKDB_INCLUDE_DIR duckdb.h HINTS ${PROJECT_SOURCE_DIR}/build/duckdb/include)
find_library(DUCKDB_LIBRARY duckdb HINTS ${PROJECT_SOURCE_DIR}/build/duckdb/lib)
if(DUCKDB_INCLUDE_DIR AND DUCKDB_LIBRARY)
  set(FRESHGUARD_HAVE_DUCKDB ON)
  add_library(freshguard_duckdb SHARED IMPORTED)
  set_target_properties(freshguard_duckdb PROPERTIES
    IMPORTED_LOCATION ${DUCKDB_LIBRARY}
    INTERFACE_SYSTEM_INCLUDE_DIRECTORIES ${DUCKDB_INCLUDE_DIR}
    INTERFACE_INCLUDE_DIRECTORIES ${DUCKDB_INCLUDE_DIR})
  message(STATUS "DuckDB: ${DUCKDB_LIBRARY}")
else()
  set(FRESHGUARD_HAVE_DUCKDB OFF)
  message(STATUS "DuckDB: not found (run scripts/fetch-duckdb.sh); DuckDB sources disabled")
endif()
if(FRESHGUARD_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
