# Compiler settings shared by every Inkstone target.

add_library(inkstone_warnings INTERFACE)
target_compile_options(inkstone_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wnon-virtual-dtor -Wcast-align
  $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>
  $<$<BOOL:${INKSTONE_WERROR}>:-Werror>)

if(CMAKE_BUILD_TYPE STREQUAL "Release")
  # -O3 for the kernels' sake; the baseline ISA stays x86-64 so the binary starts on any CPU.
  string(REPLACE "-O2" "-O3" CMAKE_CXX_FLAGS_RELEASE "${CMAKE_CXX_FLAGS_RELEASE}")
endif()

if(INKSTONE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Marks sources that hold AVX2/FMA/F16C code. They are compiled for that ISA alone and reached
# only through run-time dispatch (engine/core/CpuFeatures.h), so the binary still starts on a
# CPU without AVX2.
function(inkstone_avx2_sources)
  set_source_files_properties(${ARGN} PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma;-mf16c")
endfunction()

# Same for AVX-512 (F, BW, VL, VNNI) code paths.
function(inkstone_avx512_sources)
  set_source_files_properties(${ARGN} PROPERTIES
    COMPILE_OPTIONS "-mavx2;-mfma;-mf16c;-mavx512f;-mavx512bw;-mavx512vl;-mavx512dq;-mavx512vnni")
endfunction()
