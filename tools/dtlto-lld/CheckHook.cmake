# Fails the build unless EXE defines each of SYMBOLS itself (a global
# definition in nm's output). If one were undefined, lld would reach
# libLLVM's upstream DTLTO code instead of ours and every DTLTO link would
# silently bypass it.
execute_process(COMMAND ${NM} ${EXE} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
# SYMBOLS is comma-separated.
string(REPLACE "," ";" symbols "${SYMBOLS}")
foreach(symbol ${symbols})
  string(REGEX MATCH "[0-9a-f]+ [TDRVW] ${symbol}\n" defined "${out}")
  if(NOT rc EQUAL 0 OR NOT defined)
    file(REMOVE ${EXE})
    message(FATAL_ERROR "${EXE} does not define ${symbol}: lld would use "
                        "libLLVM's DTLTO code instead of ours.")
  endif()
endforeach()
