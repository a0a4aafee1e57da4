# AMBER_SANITIZE=address,undefined adds the sanitizers to every target built after this.
if(AMBER_SANITIZE)
  add_compile_options(-fsanitize=${AMBER_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${AMBER_SANITIZE})
endif()
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  add_compile_options(-Wall -Wextra -Wpedantic -Wno-unused-parameter)
endif()
