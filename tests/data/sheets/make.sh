#!/usr/bin/env bash
# Makes the spreadsheet files in this folder from the sources in src/: the sheets
# tests/sheet/read_test.cpp reads (each with its exact cells) and the seeds .ci/fuzz starts the
# sheet fuzzer from. The results are small binaries kept in the tree beside this script; run it
# again after changing a source, and commit what it wrote.
#
#   saved by LibreOffice Calc (soffice --headless --convert-to) from src/partners.fods:
#     partners.xlsx, partners.ods, partners.csv (UTF-8, ','), partners.xls (legacy, refused)
#   datum1904.xlsx     from src/datum1904.fods: an .xlsx with the 1904 date system
#   beveiligd.ods      src/partners.fods saved with the password "geheim" (a Basic macro: the
#                      command line cannot set one; LibreOffice 7.4 cannot encrypt an .xlsx)
#   inline.xlsx        zipped from src/inline/: inline strings, rows and cells without r, rich
#                      text, _xHHHH_ escapes, date formats, a merged range, a prefixed namespace
#   tekst.ods          zipped from src/tekst/: text:s, text:tab, text:line-break, spans, several
#                      paragraphs, repeated rows and cells, a covered cell, row groups
#   komma.csv          src/komma.csv as Google Sheets saves it: UTF-8 without BOM, ',', CR LF
#   puntkomma-bom.csv  src/puntkomma.csv as a Dutch Excel saves "CSV UTF-8": BOM, ';', CR LF
#   windows-1252.csv   src/windows-1252.csv as a Dutch Excel saves plain "CSV": Windows-1252,
#                      ';', CR LF
#
# Needs soffice (Debian: libreoffice-calc-nogui) and python3.
#   bash tests/data/sheets/make.sh
set -euo pipefail
cd "$(dirname "$0")"
here=$(pwd)

# A private LibreOffice profile, so this never clashes with another soffice running.
profile=$(mktemp -d /tmp/sto-sheets-soffice.XXXXXX)
trap 'rm -rf "$profile"' EXIT
office() { soffice -env:UserInstallation="file://$profile" --headless "$@" >/dev/null 2>&1; }

for format in xlsx ods xls; do
  office --convert-to "$format" --outdir . src/partners.fods
done
# Filter options: ',' separator, '"' quote, UTF-8 (76), from line 1.
office --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1' --outdir . src/partners.fods
office --convert-to xlsx --outdir . src/datum1904.fods

# The password: a macro in the private profile (made by the conversions above) stores the
# document with a Password in its media descriptor, as File > Save As with a password does.
cat >"$profile/user/basic/Standard/Module1.xba" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">
Sub SaveWithPassword(source As String, target As String)
  Dim load(0) As New com.sun.star.beans.PropertyValue
  load(0).Name = &quot;Hidden&quot;
  load(0).Value = True
  document = StarDesktop.loadComponentFromURL(ConvertToURL(source), &quot;_blank&quot;, 0, load())
  Dim store(1) As New com.sun.star.beans.PropertyValue
  store(0).Name = &quot;FilterName&quot;
  store(0).Value = &quot;calc8&quot;
  store(1).Name = &quot;Password&quot;
  store(1).Value = &quot;geheim&quot;
  document.storeToURL(ConvertToURL(target), store())
  document.close(True)
End Sub
</script:module>
EOF
rm -f beveiligd.ods
office --invisible "macro:///Standard.Module1.SaveWithPassword(\"$here/src/partners.fods\",\"$here/beveiligd.ods\")"
test -s beveiligd.ods || { echo "make.sh: LibreOffice did not write beveiligd.ods" >&2; exit 1; }

python3 - <<'EOF'
import os
import zipfile

def zip_folder(folder, target, first, stored=()):
    """Zips folder's files (first ones first, as the formats want), at a fixed time."""
    names = []
    for root, _, files in os.walk(folder):
        for name in files:
            names.append(os.path.relpath(os.path.join(root, name), folder).replace(os.sep, "/"))
    names.sort(key=lambda n: (n not in first, first.index(n) if n in first else 0, n))
    with zipfile.ZipFile(target, "w") as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with open(os.path.join(folder, name), "rb") as f:
                archive.writestr(info, f.read())

zip_folder("src/inline", "inline.xlsx", ["[Content_Types].xml", "_rels/.rels"])
# ODF 1.2 part 3 §3.3: the mimetype entry first, stored.
zip_folder("src/tekst", "tekst.ods", ["mimetype"], stored=("mimetype",))

def csv_as_saved(source, target, encoding, bom=b""):
    """CR LF between records; a line break inside quotes stays LF, as Excel writes it."""
    text = open(source, encoding="utf-8").read()
    out, quoted = [], False
    for c in text:
        if c == '"':
            quoted = not quoted
        out.append("\r\n" if c == "\n" and not quoted else c)
    with open(target, "wb") as f:
        f.write(bom + "".join(out).encode(encoding))

csv_as_saved("src/komma.csv", "komma.csv", "utf-8")
csv_as_saved("src/puntkomma.csv", "puntkomma-bom.csv", "utf-8", bom=b"\xef\xbb\xbf")
csv_as_saved("src/windows-1252.csv", "windows-1252.csv", "cp1252")
EOF
ls -l ./*.xlsx ./*.ods ./*.xls ./*.csv
