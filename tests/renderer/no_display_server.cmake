# Included by ctest after renderer_tests' discovered tests: runs them with no display server.
set_tests_properties(${renderer_tests_list} PROPERTIES
    ENVIRONMENT_MODIFICATION "DISPLAY=unset:;WAYLAND_DISPLAY=unset:")
