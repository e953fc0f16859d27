// Shows the Poco 1.11 MailMessage behaviours the design works around (prints raw output).
// g++ -std=c++20 poco_quirks.cpp -o poco_quirks -lPocoNet -lPocoFoundation && ./poco_quirks | cat -A
#include <Poco/Net/MailMessage.h>
#include <Poco/Net/MailRecipient.h>
#include <Poco/Net/StringPartSource.h>
#include <iostream>
using namespace Poco::Net;

int main() {
  std::cout << "== 1. setSubject/setSender/MailRecipient: raw UTF-8 in headers, name quoted unescaped;\n"
               "==    no Message-ID, no MIME-Version for a single-part message, bare LF kept\n";
  {
    MailMessage m;
    m.setSender("Régio Zuid <noreply@sto.test>");
    m.addRecipient(MailRecipient(MailRecipient::PRIMARY_RECIPIENT, "jan@example.nl", "Jan de Vrïes"));
    m.addRecipient(MailRecipient(MailRecipient::CC_RECIPIENT, "piet@example.nl", "Boer, \"Piet\""));
    m.addRecipient(MailRecipient(MailRecipient::CC_RECIPIENT, "kees@example.nl", MailMessage::encodeWord("Kees Ëlst")));
    m.setSubject("Uitnodiging – café ĳs €");
    m.setContentType("text/plain; charset=UTF-8");
    m.setContent("regel één\nregel twee\n", MailMessage::ENCODING_QUOTED_PRINTABLE);
    m.write(std::cout);
  }
  std::cout << "\n== 2. encodeWord splits UTF-8 characters across encoded-words (offset 2),\n"
               "==    and ends with an empty folded line when the text ends on a fold (offset 0)\n";
  for (int off : {0, 2}) {
    std::string s(off, 'a');
    for (int i = 0; i < 12; ++i) s += "€ĳë";
    std::cout << "Subject: " << MailMessage::encodeWord(s) << "<END>\n";
  }
  std::cout << "\n== 3. addContent() twice gives multipart/mixed, not alternative, unless the content\n"
               "==    type is set to multipart/alternative first\n";
  for (bool alt : {false, true}) {
    MailMessage m;
    if (alt) m.setContentType("multipart/alternative");
    m.addContent(new StringPartSource("x\r\n", "text/plain; charset=UTF-8"));
    m.addContent(new StringPartSource("<p>x</p>\r\n", "text/html; charset=UTF-8"));
    std::cout << m.getContentType() << "\n";
  }
}
