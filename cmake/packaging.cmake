# The man page, and `make deb`: one Debian package (CPack) holding the program, eventlog::outbox
# for applications (headers, static library, CMake package, pkg-config file), the man page, an
# example /etc/eventlog/eventlog.env and the systemd units. Included at the end of CMakeLists.txt.

# eventlog.1, from the program's own --help (help2man, scripts/install-deps.sh installs it).
find_program(EVENTLOG_HELP2MAN help2man)
if(EVENTLOG_HELP2MAN)
  set(EVENTLOG_MAN_PAGE ${CMAKE_BINARY_DIR}/man/eventlog.1.gz)
  add_custom_command(
    OUTPUT ${EVENTLOG_MAN_PAGE}
    COMMAND ${CMAKE_COMMAND} -DBIN=$<TARGET_FILE:eventlog> -DHELP2MAN=${EVENTLOG_HELP2MAN}
            -DEXTRA=${CMAKE_SOURCE_DIR}/deploy/eventlog.h2m -DOUT=${EVENTLOG_MAN_PAGE}
            -P ${CMAKE_SOURCE_DIR}/cmake/manpage.cmake
    DEPENDS eventlog ${CMAKE_SOURCE_DIR}/cmake/manpage.cmake ${CMAKE_SOURCE_DIR}/deploy/eventlog.h2m
    COMMENT "Generating the man page eventlog.1 from eventlog --help")
  add_custom_target(eventlog_man_page ALL DEPENDS ${EVENTLOG_MAN_PAGE})
  install(FILES ${EVENTLOG_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man not found: no man page, and `make deb` would lack it "
                 "(scripts/install-deps.sh installs help2man)")
endif()

# Files outside the prefix are the component `system`, which only the package installs:
# `cmake --install build --prefix DIR` stays inside DIR. The settings file holds passwords, so
# root only; dpkg keeps an administrator's edits on upgrade (deploy/debian/conffiles).
install(FILES ${CMAKE_SOURCE_DIR}/deploy/eventlog.env DESTINATION /etc/eventlog
        PERMISSIONS OWNER_READ OWNER_WRITE COMPONENT system EXCLUDE_FROM_ALL)
# /lib, not /usr/lib: bookworm's packages keep their units there until the /usr merge is done.
install(FILES ${CMAKE_SOURCE_DIR}/deploy/systemd/eventlog-serve.service
              ${CMAKE_SOURCE_DIR}/deploy/systemd/eventlog-relay@.service
        DESTINATION /lib/systemd/system COMPONENT system EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME eventlog)
set(CPACK_PACKAGE_VENDOR "eventlog team")
set(CPACK_PACKAGE_CONTACT "eventlog team")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "eventlog team")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "reliable event logging from PostgreSQL to ClickHouse (transactional outbox)")
set(CPACK_PACKAGE_DESCRIPTION
    "Applications write events into an outbox table in their own PostgreSQL transactions;
eventlog relays the committed ones to a ClickHouse table in batches, retrying through outages.
The package holds the eventlog program (serve, relay, migrate, status, requeue, dead-letters),
systemd units for the users service and for a fleet of relays, and the eventlog::outbox C++
library (static, with a CMake package and a pkg-config file) that applications link.")
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # eventlog_0.1.0_amd64.deb
set(CPACK_STRIP_FILES ON)
set(CPACK_EVENTLOG_STRIP ${CMAKE_STRIP})
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_SOURCE_DIR}/cmake/deb_strip_static.cmake)
# Depends: from the shared libraries the program links (dpkg-shlibdeps, from dpkg-dev).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS postgresql-client)
# What an application building against eventlog::outbox needs (eventlog-outbox.pc requires both).
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libpqxx-dev, nlohmann-json3-dev, pkg-config")
# conffiles: CPack does not mark /etc files itself. The scripts reload systemd and stop or
# restart the services; enabling them is the administrator's step.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_SOURCE_DIR}/deploy/debian/conffiles
    ${CMAKE_SOURCE_DIR}/deploy/debian/postinst ${CMAKE_SOURCE_DIR}/deploy/debian/prerm
    ${CMAKE_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# One package of both components ("Unspecified" is every install() rule without a component).
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_COMPONENTS_ALL Unspecified system)
include(CPack)
