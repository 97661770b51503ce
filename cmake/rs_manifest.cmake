# add_rs_manifest(NAME FILE): checks the reincarnation-server manifest FILE at build time
# with the host tool rs-manifest (a malformed manifest stops the build with
# `FILE:LINE: field 'X': message`) and makes its text available for embedding:
#   NAME        static library for seL4 programs
#   NAME_host   the same for host code
# both defining `const char NAME_text[]` (NUL-terminated) and `const unsigned long
# NAME_size` (see rs/tools/rs_manifest.c).  Nothing in the FUZZ build.
function(add_rs_manifest name file)
  if(FUZZ)
    return()
  endif()
  get_filename_component(path ${file} ABSOLUTE)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${name}.c)
  add_custom_command(OUTPUT ${out}
    COMMAND rs-manifest embed ${path} ${out} ${name}
    DEPENDS rs-manifest ${path}
    COMMENT "Checking manifest ${file}"
    VERBATIM)
  add_library(${name} STATIC ${out})
  target_compile_options(${name} PRIVATE ${WARNINGS} ${SEL4_TARGET_CFLAGS})
  add_library(${name}_host STATIC ${out})
  target_compile_options(${name}_host PRIVATE ${WARNINGS})
endfunction()
