# Adds the imported static library `videosdk_token` (with its include directory) to a CMake
# build, built by cargo from ffi/ into the build tree.
#
#   include(path/to/videosdk-token/ffi/cmake/videosdk_token.cmake)
#   target_link_libraries(your_app PRIVATE videosdk_token)
#
# VIDEOSDK_TOKEN_RUST_TARGET selects the Rust target: empty (the default) for the host, linked
# with std; a bare-metal triple for firmware (thumbv7em-none-eabihf for a Cortex-M4F,
# thumbv6m-none-eabi for a Cortex-M0+, riscv32imc-unknown-none-elf for an ESP32-C3), the no_std
# build whose panic handler cannot link. Install that target with `rustup target add` first.

set(VIDEOSDK_TOKEN_RUST_TARGET "" CACHE STRING
    "Rust target of videosdk_token; empty for the host (with std)")

get_filename_component(_vt_ffi "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
get_filename_component(_vt_core "${_vt_ffi}/../core" ABSOLUTE)
set(_vt_target_dir "${CMAKE_BINARY_DIR}/videosdk_token-cargo")
find_program(VIDEOSDK_TOKEN_CARGO cargo REQUIRED)

if(VIDEOSDK_TOKEN_RUST_TARGET)
    set(_vt_args rustc --release --locked --target ${VIDEOSDK_TOKEN_RUST_TARGET}
        --crate-type staticlib)
    set(_vt_lib "${_vt_target_dir}/${VIDEOSDK_TOKEN_RUST_TARGET}/release/libvideosdk_token.a")
else()
    set(_vt_args build --release --locked --features std)
    set(_vt_lib "${_vt_target_dir}/release/libvideosdk_token.a")
endif()

file(GLOB _vt_sources CONFIGURE_DEPENDS "${_vt_ffi}/src/*.rs" "${_vt_core}/src/*.rs")
add_custom_command(
    OUTPUT "${_vt_lib}"
    COMMAND "${VIDEOSDK_TOKEN_CARGO}" ${_vt_args} --target-dir "${_vt_target_dir}"
    WORKING_DIRECTORY "${_vt_ffi}"
    DEPENDS ${_vt_sources} "${_vt_ffi}/Cargo.toml" "${_vt_ffi}/Cargo.lock"
    COMMENT "cargo: building libvideosdk_token.a"
    VERBATIM)
add_custom_target(videosdk_token_cargo DEPENDS "${_vt_lib}")

add_library(videosdk_token STATIC IMPORTED GLOBAL)
set_target_properties(videosdk_token PROPERTIES
    IMPORTED_LOCATION "${_vt_lib}"
    INTERFACE_INCLUDE_DIRECTORIES "${_vt_ffi}/include")
add_dependencies(videosdk_token videosdk_token_cargo)
if(NOT VIDEOSDK_TOKEN_RUST_TARGET AND UNIX)
    # What Rust's std needs from the system C library.
    set_property(TARGET videosdk_token PROPERTY INTERFACE_LINK_LIBRARIES pthread dl m)
endif()
