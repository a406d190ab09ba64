# CPack pre-build script: removes debug information from the static libraries staged for the
# package, as Debian's dh_strip does (CPACK_STRIP_FILES strips the program, not archives).
# RelWithDebInfo's libeventlog_outbox.a is ten times larger with it.
file(GLOB_RECURSE archives ${CPACK_TEMPORARY_DIRECTORY}/*.a)
foreach(archive IN LISTS archives)
  execute_process(COMMAND ${CPACK_EVENTLOG_STRIP} --strip-debug --remove-section=.comment
                          ${archive} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${CPACK_EVENTLOG_STRIP} --strip-debug ${archive} failed (${rc})")
  endif()
endforeach()
