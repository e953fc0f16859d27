# clang (14 and 16) with libstdc++ 12 rejects Debian 12's qpdf 11.3 <qpdf/JSON.hh> in C++20:
# JSON::JSON_array holds a std::vector<JSON> and has an inline virtual destructor inside class JSON,
# where JSON is still incomplete; C++20 made ~vector constexpr, and clang instantiates it there.
# qpdf 11.4 fixed it (qpdf/qpdf#942, PR #966) by defining JSON_array after class JSON. This writes
# that same header into the build tree and puts it before /usr/include for every user of
# PkgConfig::QPDF. Same members, same names, no exported JSON_array symbol in libqpdf (its vtable
# is internal to the library): ABI-identical. GCC needs none of this.
set(_overlay "${CMAKE_BINARY_DIR}/qpdf-cxx20-overlay")
# The header of the qpdf pkg-config found (its include dirs are usually just /usr/include, which
# pkg-config leaves out, so the hint is often empty and the default search finds it).
find_file(STO_QPDF_JSON_HH qpdf/JSON.hh HINTS ${QPDF_INCLUDE_DIRS} REQUIRED)
file(READ "${STO_QPDF_JSON_HH}" _text)
set(_inside "    struct JSON_array: public JSON_value
    {
        JSON_array() :
            JSON_value(vt_array)
        {
        }
        virtual ~JSON_array() = default;
        virtual void write(Pipeline*, size_t depth) const;
        std::vector<JSON> elements;
    };
")
string(FIND "${_text}" "${_inside}" _at)
if(_at EQUAL -1)
  message(STATUS "qpdf JSON.hh already C++20-clean for clang (qpdf >= 11.4): no overlay")
else()
  string(REPLACE "${_inside}" "    struct JSON_array;\n" _text "${_text}")
  string(REPLACE "\n#endif // JSON_HH" "
struct JSON::JSON_array: public JSON::JSON_value
{
    JSON_array() :
        JSON_value(vt_array)
    {
    }
    virtual ~JSON_array() = default;
    virtual void write(Pipeline*, size_t depth) const;
    std::vector<JSON> elements;
};

#endif // JSON_HH" _text "${_text}")
  file(MAKE_DIRECTORY "${_overlay}/qpdf")
  file(WRITE "${_overlay}/JSON.hh.new" "${_text}")
  file(COPY_FILE "${_overlay}/JSON.hh.new" "${_overlay}/qpdf/JSON.hh" ONLY_IF_DIFFERENT)
  set_property(TARGET PkgConfig::QPDF APPEND PROPERTY INTERFACE_INCLUDE_DIRECTORIES "${_overlay}")
  message(STATUS "qpdf JSON.hh: C++20 overlay for clang in ${_overlay}")
endif()
