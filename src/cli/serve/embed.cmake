# Turn the panel's web page into a C string: cmake -DIN=page.html -DOUT=page.c -P embed.cmake
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUT}.tmp" "/* generated from src/cli/serve/page.html by src/cli/serve/embed.cmake: do not edit */\n"
  "#include \"serve.h\"\nconst char serve_page_html[] = {\n${bytes}0x00};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
