# Every C++ dependency comes from Debian's packages through find_package or find_path:
#   libeigen3-dev libboost-dev libtbb-dev nlohmann-json3-dev libgtest-dev
#   librandom123-dev libvalijson-dev libcli11-dev
# Nothing is vendored or downloaded. scripts/setup.sh installs the list above.

find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(Boost 1.74 REQUIRED CONFIG)
find_package(TBB REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)

# Random123 and valijson are header-only and ship no CMake package files in Debian.
find_path(RANDOM123_INCLUDE_DIR Random123/philox.h REQUIRED)
if(NOT TARGET Random123::Random123)
  add_library(Random123::Random123 INTERFACE IMPORTED)
  set_target_properties(Random123::Random123 PROPERTIES
                        INTERFACE_INCLUDE_DIRECTORIES "${RANDOM123_INCLUDE_DIR}")
endif()

find_path(VALIJSON_INCLUDE_DIR valijson/validator.hpp REQUIRED)
if(NOT TARGET valijson::valijson)
  add_library(valijson::valijson INTERFACE IMPORTED)
  set_target_properties(valijson::valijson PROPERTIES
                        INTERFACE_INCLUDE_DIRECTORIES "${VALIJSON_INCLUDE_DIR}")
endif()

if(GAPCAST_BUILD_CLI)
  find_package(CLI11 2.1 REQUIRED CONFIG)
endif()
