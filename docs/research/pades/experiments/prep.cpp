// Experiment: revision 0 with N empty signature fields (merged field+widget), AcroForm /DR fonts.
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFWriter.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <iostream>
#include <string>
int main(int argc, char** argv) {
  QPDF pdf; pdf.processFile(argv[1]);
  int n = std::stoi(argv[3]);
  auto pages = QPDFPageDocumentHelper(pdf).getAllPages();
  auto fields = QPDFObjectHandle::newArray();
  QPDFObjectHandle fontR, fontB;
  for (auto& o : pdf.getAllObjects()) {
    if (o.isDictionary() && o.getKey("/Type").isNameAndEquals("/Font") && o.getKey("/Subtype").isNameAndEquals("/Type0")) {
      std::string bf = o.getKey("/BaseFont").getName();
      if (bf.find("Bold") != std::string::npos) fontB = o; else fontR = o;
    }
  }
  for (int i = 0; i < n; ++i) {
    auto page = pages.at(i % pages.size()).getObjectHandle();
    double x = 50 + (i / pages.size() % 2) * 260, y = 80 + (i / (pages.size()*2)) * 70;
    auto f = pdf.makeIndirectObject(QPDFObjectHandle::parse(
        "<< /Type /Annot /Subtype /Widget /FT /Sig /F 4 /Rect [" + std::to_string(x) + " " + std::to_string(y) + " " +
        std::to_string(x + 240) + " " + std::to_string(y + 60) + "] >>"));
    f.replaceKey("/T", QPDFObjectHandle::newUnicodeString("handtekening-" + std::to_string(i + 1)));
    f.replaceKey("/P", page);
    if (!page.hasKey("/Annots")) page.replaceKey("/Annots", QPDFObjectHandle::newArray());
    page.getKey("/Annots").appendItem(f);
    fields.appendItem(f);
  }
  auto dr = QPDFObjectHandle::parse("<< /Font << >> >>");
  dr.getKey("/Font").replaceKey("/StoRegular", fontR);
  if (fontB.isInitialized()) dr.getKey("/Font").replaceKey("/StoBold", fontB);
  auto acro = pdf.makeIndirectObject(QPDFObjectHandle::newDictionary());
  acro.replaceKey("/Fields", fields);
  acro.replaceKey("/SigFlags", QPDFObjectHandle::newInteger(3));
  acro.replaceKey("/DR", dr);
  pdf.getRoot().replaceKey("/AcroForm", acro);
  QPDFWriter w(pdf, argv[2]);
  w.setDeterministicID(true); w.setObjectStreamMode(qpdf_o_disable); w.setMinimumPDFVersion("1.7");
  w.write();
}
