# Writes OUT (eventlog.1.gz): help2man's page from `BIN --help` and `BIN --version`, plus a
# COMMANDS section holding every subcommand's --help (help2man reads only the top level) and the
# hand-written sections of EXTRA. Run at build time: cmake -DBIN= -DHELP2MAN= -DEXTRA= -DOUT= -P.

# Roff for text shown as is: backslashes, hyphens (minus signs in option names) and a leading
# dot or quote would otherwise be read as roff.
function(roff_literal text out_var)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

function(run_help out_var)
  execute_process(COMMAND ${BIN} ${ARGN} --help RESULT_VARIABLE rc OUTPUT_VARIABLE help
                  ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "`eventlog ${ARGN} --help` failed (${rc}): ${err}")
  endif()
  set(${out_var} "${help}" PARENT_SCOPE)
endfunction()

# The names under "Subcommands:" in a CLI11 help text.
function(subcommands_of help out_var)
  set(names "")
  if(help MATCHES "\nSubcommands:\n(.*)$")
    string(REGEX MATCHALL "\n  [a-z][a-z-]*" lines "\n${CMAKE_MATCH_1}")
    foreach(line IN LISTS lines)
      string(STRIP "${line}" name)
      list(APPEND names ${name})
    endforeach()
  endif()
  set(${out_var} ${names} PARENT_SCOPE)
endfunction()

# Appends to the variable named `section_var` one .SS per subcommand of the command ARGN
# (nothing for the program, "dead-letters" for its subcommands), depth first: the usage line as
# the heading, the description, then the rest of its help as is.
function(describe_subcommands section_var)
  set(section "${${section_var}}")
  run_help(help ${ARGN})
  subcommands_of("${help}" subs)
  foreach(sub IN LISTS subs)
    run_help(sub_help ${ARGN} ${sub})
    if(NOT sub_help MATCHES "^([^\n]*)\nUsage: ([^\n]*)\n(.*)$")
      message(FATAL_ERROR "unexpected help text of `eventlog ${ARGN} ${sub}`:\n${sub_help}")
    endif()
    roff_literal("${CMAKE_MATCH_1}" description)
    roff_literal("${CMAKE_MATCH_2}" usage)
    string(STRIP "${CMAKE_MATCH_3}" body)
    roff_literal("${body}" body)
    string(APPEND section ".SS \"${usage}\"\n${description}\n.PP\n.nf\n${body}\n.fi\n")
    describe_subcommands(section ${ARGN} ${sub})  # reads and sets this scope's `section`
  endforeach()
  set(${section_var} "${section}" PARENT_SCOPE)
endfunction()

set(commands "[COMMANDS]\n")
describe_subcommands(commands)
get_filename_component(out_dir ${OUT} DIRECTORY)
set(include_file ${out_dir}/eventlog-commands.h2m)
file(WRITE ${include_file} "${commands}")

execute_process(
  COMMAND ${HELP2MAN} --no-info --section 1
          --name "reliable event logging from PostgreSQL to ClickHouse (transactional outbox)"
          --include ${include_file} --include ${EXTRA} --output ${out_dir}/eventlog.1 ${BIN}
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "help2man failed (${rc}): ${err}")
endif()
# -n: no name or time stamp inside, so the same page gives the same bytes (as dh_compress).
execute_process(COMMAND gzip -9n -c ${out_dir}/eventlog.1 OUTPUT_FILE ${OUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip of ${out_dir}/eventlog.1 failed (${rc})")
endif()
