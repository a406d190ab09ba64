# One static library per folder of src/: the tree is the architecture, and the build enforces it.
# Each library compiles against an include view of its own (build/include-views/<folder>/, links
# to the folders of src/ it may include), so a wrong include fails to compile, and links only
# the packages it uses, so the relay links neither libpqxx nor libcurl. Who may call whom:
#
#   core        nothing                 pure logic and the seams (OutboxStore, EventSink, Clock)
#   observe     core                    spdlog, fmt, prometheus-cpp
#   relay       core, observe           (no package: the seams only)
#   clickhouse  core, observe           libcurl, zlib, OpenSSL (MD5)
#   service     core, observe           cpp-httplib; PostgreSQL only through its UserRepository
#   outbox      core, observe, service  libpqxx, libpq; implements OutboxStore, UserRepository
#   apps/       everything              wiring (eventlog_lib below)
#
# eventlog_folder_library(<folder> USES <folders> LINKS <targets> OBJECTS <object libraries>)
# declares eventlog_src_<folder>; USES lists the folders it may include (their own USES come
# with them), OBJECTS object libraries it shares with the installed eventlog::outbox.
function(eventlog_folder_library folder)
  cmake_parse_arguments(ARG "" "" "USES;LINKS;OBJECTS;EXCLUDE;EXTRA_SOURCES" ${ARGN})
  set(visible ${folder})
  foreach(dep IN LISTS ARG_USES)
    get_property(dep_visible GLOBAL PROPERTY EVENTLOG_VISIBLE_${dep})
    list(APPEND visible ${dep} ${dep_visible})
  endforeach()
  list(REMOVE_DUPLICATES visible)
  list(REMOVE_ITEM visible ${folder})
  set_property(GLOBAL PROPERTY EVENTLOG_VISIBLE_${folder} ${visible})
  eventlog_include_view(${folder} ${folder} ${visible})

  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/${folder}/*.cc)
  list(FILTER sources EXCLUDE REGEX "_test\\.cc$")
  foreach(excluded IN LISTS ARG_EXCLUDE)
    list(REMOVE_ITEM sources ${CMAKE_SOURCE_DIR}/${excluded})
  endforeach()
  set(target eventlog_src_${folder})
  set(objects "")
  foreach(object_library IN LISTS ARG_OBJECTS)
    list(APPEND objects $<TARGET_OBJECTS:${object_library}>)
  endforeach()
  add_library(${target} STATIC ${sources} ${ARG_EXTRA_SOURCES} ${objects})
  target_include_directories(${target} PRIVATE ${CMAKE_BINARY_DIR}/include-views/${folder})
  target_link_libraries(${target} PUBLIC eventlog_public_headers ${ARG_LINKS})
  foreach(dep IN LISTS ARG_USES)
    target_link_libraries(${target} PUBLIC eventlog_src_${dep})
  endforeach()
endfunction()

# build/include-views/<name>/: a link to src/<folder> for each folder given, nothing else.
# Rebuilt at each configure, so a folder taken off a list is no longer reachable.
function(eventlog_include_view name)
  set(view ${CMAKE_BINARY_DIR}/include-views/${name})
  file(REMOVE_RECURSE ${view})
  file(MAKE_DIRECTORY ${view})
  foreach(folder IN LISTS ARGN)
    file(CREATE_LINK ${CMAKE_SOURCE_DIR}/src/${folder} ${view}/${folder} SYMBOLIC)
  endforeach()
endfunction()

# The public headers (include/eventlog: Event, OutboxWriter, Status), for every library.
add_library(eventlog_public_headers INTERFACE)
target_include_directories(eventlog_public_headers INTERFACE ${CMAKE_SOURCE_DIR}/include)
target_link_libraries(eventlog_public_headers INTERFACE nlohmann_json::nlohmann_json)
target_compile_features(eventlog_public_headers INTERFACE cxx_std_20)

# The sources of the installed eventlog::outbox, compiled once: its value types (core) and the
# writer (outbox), shared with the folder libraries.
set(EVENTLOG_VALUE_SOURCES src/core/event.cc src/core/uuid7.cc src/core/status.cc
    src/core/secrets.cc)
set(EVENTLOG_WRITER_SOURCES src/outbox/outbox_writer.cc src/outbox/pg_errors.cc)
eventlog_include_view(values core)
add_library(eventlog_value_objects OBJECT ${EVENTLOG_VALUE_SOURCES})
target_include_directories(eventlog_value_objects PRIVATE ${CMAKE_BINARY_DIR}/include-views/values)
target_link_libraries(eventlog_value_objects PUBLIC eventlog_public_headers)
eventlog_include_view(writer core outbox)
add_library(eventlog_writer_objects OBJECT ${EVENTLOG_WRITER_SOURCES})
target_include_directories(eventlog_writer_objects PRIVATE ${CMAKE_BINARY_DIR}/include-views/writer)
target_link_libraries(eventlog_writer_objects PUBLIC eventlog_public_headers PkgConfig::PQXX)
set_target_properties(eventlog_value_objects eventlog_writer_objects PROPERTIES
                      POSITION_INDEPENDENT_CODE ON)

eventlog_folder_library(core OBJECTS eventlog_value_objects EXCLUDE ${EVENTLOG_VALUE_SOURCES}
                        EXTRA_SOURCES ${EVENTLOG_MIGRATIONS_CC})
eventlog_folder_library(observe USES core
                        LINKS spdlog::spdlog fmt::fmt prometheus-cpp::core prometheus-cpp::pull)
eventlog_folder_library(relay USES core observe LINKS Threads::Threads)
eventlog_folder_library(clickhouse USES core observe
                        LINKS CURL::libcurl ZLIB::ZLIB OpenSSL::Crypto)
eventlog_folder_library(service USES core observe LINKS PkgConfig::HTTPLIB Threads::Threads)
eventlog_folder_library(outbox USES core observe service OBJECTS eventlog_writer_objects
                        EXCLUDE ${EVENTLOG_WRITER_SOURCES} EXTRA_SOURCES ${EVENTLOG_LEDGER_SQL_H}
                        LINKS PkgConfig::PQXX PkgConfig::PQ Threads::Threads)
# The generated ledger statements (outbox/ledger_sql.h).
target_include_directories(eventlog_src_outbox PRIVATE ${CMAKE_BINARY_DIR}/generated)

# Everything, for the program, the tests and the bench: they may see and call every folder.
add_library(eventlog_lib INTERFACE)
target_include_directories(eventlog_lib INTERFACE ${CMAKE_SOURCE_DIR}/src)
target_link_libraries(eventlog_lib INTERFACE eventlog_src_core eventlog_src_observe
                      eventlog_src_relay eventlog_src_clickhouse eventlog_src_service
                      eventlog_src_outbox)
