# Compiler flags shared by every FreshGuard target, applied through one interface target.
add_library(freshguard_options INTERFACE)
target_compile_options(freshguard_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wnull-dereference
  -Wno-missing-field-initializers)  # designated initializers leave defaulted fields out
if(FRESHGUARD_WERROR)
  target_compile_options(freshguard_options INTERFACE -Werror)
endif()
if(FRESHGUARD_SANITIZE)
  target_compile_options(freshguard_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(freshguard_options INTERFACE -fsanitize=address,undefined)
endif()
if(FRESHGUARD_COVERAGE)
  target_compile_options(freshguard_options INTERFACE --coverage -fprofile-update=atomic -O0 -fno-inline)
  target_link_options(freshguard_options INTERFACE --coverage)
endif()
