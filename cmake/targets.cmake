# Helpers shared by every directory.  Three kinds of code are built here:
#   * seL4 programs: freestanding x86_64 ELF images that run on seL4 (real or sel4-sim);
#   * host code: sel4-sim and the host unit tests (sanitized);
#   * portable libraries: plain C that makes no syscalls, built for both.

set(WARNINGS -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
             -Wpointer-arith -Wvla -Wformat=2)
set(SANITIZE -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)

set(SEL4_TARGET_CFLAGS -ffreestanding -fno-pic -fno-pie -fno-stack-protector
    -fno-asynchronous-unwind-tables -fno-exceptions -mno-red-zone -fno-common
    -fno-strict-aliasing)
set(SEL4_TARGET_LDFLAGS -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack
    -Wl,-z,max-page-size=0x1000 -Wl,--no-warn-rwx-segments)

# Where seL4 programs find <sel4/sel4.h>: the project's own ABI layer by default.
set(SEL4_ABI_INCLUDE ${PROJECT_SOURCE_DIR}/abi/include)
# SEL4_LIBSEL4=real compiles the seL4 programs and libraries (not host code) against the
# real libsel4 headers of SEL4_PREFIX instead, to check that the sources build with both.
set(SEL4_LIBSEL4 "ours" CACHE STRING "libsel4 headers for seL4 programs: ours or real")
set(SEL4_TARGET_INCLUDE ${SEL4_ABI_INCLUDE})
if(SEL4_LIBSEL4 STREQUAL "real")
  if(NOT EXISTS "${SEL4_PREFIX}/libsel4/include/sel4/sel4.h")
    message(FATAL_ERROR "SEL4_LIBSEL4=real needs SEL4_PREFIX with libsel4/include")
  endif()
  set(SEL4_TARGET_INCLUDE ${SEL4_PREFIX}/libsel4/include)
endif()

# sel4_kernel_numbering(PREFIX OUT_DEFINES OUT_SETTINGS): the settings of the kernel
# installed at PREFIX that change what the ABI layer declares: KernelIOMMU (inserts
# invocation labels and an object type), KernelDebugBuild and KernelPrinting (which debug
# syscalls exist).  OUT_DEFINES: SEL4_ABI_KERNEL_CONFIG and the kernel's CONFIG_ macros of
# those that are ON, for the ABI layer (abi/include/sel4/config.h); OUT_SETTINGS: one line
# per setting whose value is not sel4-sim's (KernelIOMMU=ON, KernelDebugBuild=OFF,
# KernelPrinting=OFF), as `sel4-kconfig-check --abi` prints them
# (tools/kernel-config/kconfig.c, abi_rules: keep both lists the same).
function(sel4_kernel_numbering prefix out_defines out_settings)
  set(header ${prefix}/libsel4/include/kernel/gen_config.h)
  if(NOT EXISTS ${header})
    message(FATAL_ERROR "${header} missing: ${prefix} is not an installed seL4 kernel")
  endif()
  set(defines SEL4_ABI_KERNEL_CONFIG=1)
  set(settings "")
  # MACRO:SETTING:sel4-sim's value
  foreach(entry CONFIG_IOMMU:KernelIOMMU:OFF CONFIG_DEBUG_BUILD:KernelDebugBuild:ON
                CONFIG_PRINTING:KernelPrinting:ON)
    string(REPLACE ":" ";" entry ${entry})
    list(GET entry 0 macro)
    list(GET entry 1 setting)
    list(GET entry 2 sim_value)
    file(STRINGS ${header} hit REGEX "^#define[ \t]+${macro}([ \t]|$)")
    if(hit)
      list(APPEND defines ${macro}=1)
      set(value ON)
    else()
      set(value OFF)
    endif()
    if(NOT value STREQUAL sim_value)
      string(APPEND settings "${setting}=${value}\n")
    endif()
  endforeach()
  set(${out_defines} ${defines} PARENT_SCOPE)
  set(${out_settings} "${settings}" PARENT_SCOPE)
endfunction()

# The kernel configuration the seL4 programs are built for: sel4-sim's (KernelIOMMU OFF,
# debug syscalls present) unless SEL4_ABI_CONFIG names an installed kernel whose
# configuration to use instead (make qemu / test-qemu build such images in a second build
# directory when the kernel differs: tools/kernel-images.sh).  With SEL4_LIBSEL4=real
# the real headers follow their kernel.  BUILD/sel4-numbering.txt records the settings
# that differ from sel4-sim's for tools/qemu.sh, which refuses to boot images built for
# another configuration than the kernel's.
set(SEL4_ABI_CONFIG "" CACHE PATH
    "installed seL4 kernel whose configuration (KernelIOMMU, KernelDebugBuild, KernelPrinting) the seL4 programs follow (empty: sel4-sim's)")
set(SEL4_TARGET_DEFINES "")
set(SEL4_NUMBERING "")
if(SEL4_LIBSEL4 STREQUAL "real")
  sel4_kernel_numbering(${SEL4_PREFIX} unused SEL4_NUMBERING)
elseif(SEL4_ABI_CONFIG)
  sel4_kernel_numbering(${SEL4_ABI_CONFIG} SEL4_TARGET_DEFINES SEL4_NUMBERING)
endif()
file(CONFIGURE OUTPUT ${PROJECT_BINARY_DIR}/sel4-numbering.txt CONTENT "${SEL4_NUMBERING}")

include(${CMAKE_CURRENT_LIST_DIR}/rs_manifest.cmake)

# add_sel4_library(NAME SOURCES... [LIBS libs...]): static library for seL4 programs.
function(add_sel4_library name)
  cmake_parse_arguments(A "" "" "SOURCES;LIBS" ${ARGN})
  add_library(${name} STATIC ${A_SOURCES} ${A_UNPARSED_ARGUMENTS})
  target_compile_options(${name} PRIVATE ${WARNINGS} ${SEL4_TARGET_CFLAGS})
  target_compile_definitions(${name} PRIVATE ${SEL4_TARGET_DEFINES})
  target_include_directories(${name} PUBLIC ${SEL4_TARGET_INCLUDE})
  if(A_LIBS)
    target_link_libraries(${name} PUBLIC ${A_LIBS})
  endif()
endfunction()

# add_sel4_program(NAME SOURCES... [LIBS libs...]): a freestanding seL4 ELF image linked
# with the runtime (crt0, printf, heap, ...).
function(add_sel4_program name)
  cmake_parse_arguments(A "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${A_SOURCES} ${A_UNPARSED_ARGUMENTS})
  target_compile_options(${name} PRIVATE ${WARNINGS} ${SEL4_TARGET_CFLAGS})
  target_compile_definitions(${name} PRIVATE ${SEL4_TARGET_DEFINES})
  target_include_directories(${name} PRIVATE ${SEL4_TARGET_INCLUDE})
  target_link_options(${name} PRIVATE ${SEL4_TARGET_LDFLAGS}
                      -T ${PROJECT_SOURCE_DIR}/runtime/link.ld)
  # --whole-archive for the runtime so _start and the weak hooks are always present.
  target_link_libraries(${name} PRIVATE ${A_LIBS} sel4_runtime -lgcc)
  set_target_properties(${name} PROPERTIES LINK_DEPENDS ${PROJECT_SOURCE_DIR}/runtime/link.ld
                        RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/images)
  set_property(GLOBAL APPEND PROPERTY SEL4_PROGRAMS ${name})
endfunction()

# add_portable_library(NAME SOURCES... [INCLUDE dirs...] [LIBS portable libs...]): NAME
# for seL4 programs, NAME_host (sanitized) for host tests, and NAME_fuzz in the FUZZ
# build; each variant links the same variant of the portable libraries in LIBS.  The
# code must make no syscalls.
function(add_portable_library name)
  cmake_parse_arguments(A "" "" "SOURCES;INCLUDE;LIBS" ${ARGN})
  if(FUZZ)
    set(variants _fuzz)
  else()
    set(variants "" _host)
  endif()
  if(NOT FUZZ)
    add_library(${name} STATIC ${A_SOURCES})
    target_compile_options(${name} PRIVATE ${WARNINGS} ${SEL4_TARGET_CFLAGS})
    target_compile_definitions(${name} PRIVATE ${SEL4_TARGET_DEFINES})
    target_include_directories(${name} PUBLIC ${A_INCLUDE} ${SEL4_TARGET_INCLUDE})
    add_library(${name}_host STATIC ${A_SOURCES})
    target_compile_options(${name}_host PRIVATE ${WARNINGS} ${SANITIZE})
    target_include_directories(${name}_host PUBLIC ${A_INCLUDE} ${SEL4_ABI_INCLUDE})
  else()
    add_library(${name}_fuzz STATIC ${A_SOURCES})
    target_compile_options(${name}_fuzz PRIVATE ${WARNINGS} ${SANITIZE} -fsanitize=fuzzer-no-link)
    target_include_directories(${name}_fuzz PUBLIC ${A_INCLUDE} ${SEL4_ABI_INCLUDE})
  endif()
  foreach(v IN LISTS variants)
    foreach(lib IN LISTS A_LIBS)
      target_link_libraries(${name}${v} PUBLIC ${lib}${v})
    endforeach()
  endforeach()
endfunction()

# add_host_test(NAME SOURCES... [LIBS libs...]): a host unit test under ASan+UBSan, run by CTest.
function(add_host_test name)
  cmake_parse_arguments(A "" "" "SOURCES;LIBS;INCLUDE" ${ARGN})
  if(FUZZ)
    return()
  endif()
  add_executable(${name} ${A_SOURCES})
  target_compile_options(${name} PRIVATE ${WARNINGS} ${SANITIZE})
  target_link_options(${name} PRIVATE ${SANITIZE})
  target_include_directories(${name} PRIVATE ${A_INCLUDE} ${PROJECT_SOURCE_DIR}/tests/host
                             ${SEL4_ABI_INCLUDE})
  if(A_LIBS)
    target_link_libraries(${name} PRIVATE ${A_LIBS})
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS host)
endfunction()

# add_fuzzer(NAME SOURCES... [LIBS libs...]): a libFuzzer harness (FUZZ build only).
function(add_fuzzer name)
  cmake_parse_arguments(A "" "" "SOURCES;LIBS;INCLUDE" ${ARGN})
  if(NOT FUZZ)
    return()
  endif()
  add_executable(${name} ${A_SOURCES})
  target_compile_options(${name} PRIVATE ${WARNINGS} ${SANITIZE} -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE ${SANITIZE} -fsanitize=fuzzer)
  target_include_directories(${name} PRIVATE ${A_INCLUDE} ${SEL4_ABI_INCLUDE})
  if(A_LIBS)
    target_link_libraries(${name} PRIVATE ${A_LIBS})
  endif()
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/fuzzers)
endfunction()

# embed_sel4_programs(ROOT prog...): links the listed seL4 programs into ROOT's image as
# an archive in section .programs (format: runtime/include/runtime/programs.h), where
# spawn_program() finds them by target name.  Call it where ROOT is defined.
function(embed_sel4_programs root)
  set(archive ${CMAKE_CURRENT_BINARY_DIR}/${root}_programs.bin)
  set(object ${CMAKE_CURRENT_BINARY_DIR}/${root}_programs.o)
  set(pairs "")
  foreach(p ${ARGN})
    list(APPEND pairs "${p}=$<TARGET_FILE:${p}>")
  endforeach()
  add_custom_command(OUTPUT ${object}
    COMMAND sel4_pack_programs ${archive} ${pairs}
    COMMAND ${CMAKE_OBJCOPY} -I binary -O elf64-x86-64 -B i386:x86-64
            --rename-section .data=.programs,alloc,load,readonly,data,contents
            ${archive} ${object}
    DEPENDS sel4_pack_programs ${ARGN}
    COMMENT "Embedding ${ARGN} into ${root}"
    VERBATIM)
  set_source_files_properties(${object} PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
  target_sources(${root} PRIVATE ${object})
endfunction()
