# EVENTLOG_GIT_COMMIT_RESOLVED: the commit `eventlog --version` reports. -DEVENTLOG_GIT_COMMIT=...
# names it (a build from a source tarball that knows its commit); otherwise `git rev-parse --short
# HEAD` of this source tree, or "unknown" when it is not a git checkout. The source dir's own .git
# is required, so a tarball unpacked inside another repository does not report that one's commit.
set(EVENTLOG_GIT_COMMIT "" CACHE STRING "Commit `eventlog --version` reports (default: git HEAD)")
set(EVENTLOG_GIT_COMMIT_RESOLVED "${EVENTLOG_GIT_COMMIT}")
if(NOT EVENTLOG_GIT_COMMIT_RESOLVED)
  set(EVENTLOG_GIT_COMMIT_RESOLVED unknown)
  find_package(Git QUIET)
  if(GIT_FOUND AND EXISTS ${CMAKE_SOURCE_DIR}/.git)
    execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short HEAD
                    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} RESULT_VARIABLE git_rc
                    OUTPUT_VARIABLE git_commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    if(git_rc EQUAL 0 AND git_commit)
      set(EVENTLOG_GIT_COMMIT_RESOLVED ${git_commit})
    endif()
    # A commit or a checkout re-runs CMake on the next build (`make build` re-runs it anyway):
    # depend on HEAD, the branch it names, and packed-refs.
    execute_process(COMMAND ${GIT_EXECUTABLE} symbolic-ref -q HEAD
                    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} OUTPUT_VARIABLE git_branch
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    set(git_path_args --git-path HEAD --git-path packed-refs)
    if(git_branch)
      list(APPEND git_path_args --git-path ${git_branch})
    endif()
    execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse ${git_path_args}
                    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} OUTPUT_VARIABLE git_paths
                    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    string(REPLACE "\n" ";" git_paths "${git_paths}")
    foreach(git_path IN LISTS git_paths)
      get_filename_component(git_path ${git_path} ABSOLUTE BASE_DIR ${CMAKE_SOURCE_DIR})
      if(EXISTS ${git_path})
        set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${git_path})
      endif()
    endforeach()
  endif()
endif()
