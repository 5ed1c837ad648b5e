# Fails the build unless EXE defines SYMBOL itself (a 'T' in nm's output). If
# it were undefined, lld's call would reach libLLVM's upstream backend and
# every DTLTO link would silently bypass ours.
execute_process(COMMAND ${NM} ${EXE} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
string(REGEX MATCH "[0-9a-f]+ T ${SYMBOL}\n" defined "${out}")
if(NOT rc EQUAL 0 OR NOT defined)
  file(REMOVE ${EXE})
  message(FATAL_ERROR "${EXE} does not define ${SYMBOL}: lld would call "
                      "libLLVM's DTLTO backend instead of ours.")
endif()
