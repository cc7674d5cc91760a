# gapcast_set_warnings(<target>): the warning set every gapcast target compiles with.
# Warnings become errors only when GAPCAST_WERROR is on (CI), so a newer compiler on a
# user's machine cannot break an install.
function(gapcast_set_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                                             -Wnon-virtual-dtor -Wconversion
                                             -Wno-sign-conversion)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
      # GCC 12 at -O3 reports false positives inside libstdc++ itself: -Warray-bounds in the
      # red-black tree when nlohmann::json objects are inlined, -Wrestrict in
      # std::string concatenation (GCC bug 105329). The code they flag is the library's.
      target_compile_options(${target} PRIVATE -Wno-array-bounds -Wno-restrict)
    endif()
    if(GAPCAST_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()
