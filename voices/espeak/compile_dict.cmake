# cmake -DESPEAK=<espeak-ng> -DDATA_PARENT=<dir containing espeak-ng-data> -DSRC=<voices/espeak>
#       -DSTAGE=<scratch dir> -P compile_dict.cmake
# Compiles SRC/kk_rules + SRC/kk_list into DATA_PARENT/espeak-ng-data/kk_dict.
# eSpeak's compiler reads <lang>_rules/_list from the CURRENT directory and
# writes <lang>_dict into the data folder selected by ESPEAK_DATA_PATH (the parent).
foreach(v ESPEAK DATA_PARENT SRC STAGE)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "compile_dict.cmake: ${v} not set")
  endif()
endforeach()
file(REMOVE_RECURSE "${STAGE}")
file(MAKE_DIRECTORY "${STAGE}")
file(COPY "${SRC}/kk_rules" "${SRC}/kk_list" DESTINATION "${STAGE}")
set(_dict "${DATA_PARENT}/espeak-ng-data/kk_dict")
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env ESPEAK_DATA_PATH=${DATA_PARENT} HOME=${STAGE}
          ${ESPEAK} --compile=kk
  WORKING_DIRECTORY "${STAGE}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(_log "${out}${err}")
# eSpeak reports rule/list problems as lines of text; count them as failures too.
if(NOT rc EQUAL 0 OR _log MATCHES "[Ee]rror|Bad phoneme|Bad char")
  file(REMOVE "${_dict}")
  message(FATAL_ERROR "espeak-ng --compile=kk failed (exit ${rc}):\n${_log}")
endif()
if(NOT EXISTS "${_dict}")
  message(FATAL_ERROR "espeak-ng --compile=kk did not write ${_dict}:\n${_log}")
endif()
