/*
 * StoPdfboxSigner: a benchmark peer for sto's C++ signer, written against Apache PDFBox 2 and
 * BouncyCastle as Debian 12 ships them (libpdfbox2-java 2.0.27, libbcpkix-java 1.72).
 *
 * Why this exists: the project's earlier notes measured a PDFBox set-up, and the C++ signer
 * (OpenSSL CMS + qpdf + a hand-written incremental revision) is meant to beat it. To compare the
 * two fairly they must do the same work in the same run, on the same input, with the same PKI.
 * This program does exactly one thing: sign N existing empty signature fields one after another,
 * one incremental revision per signing act, the way a PDFBox-based server would handle one
 * signing request per HTTP call (load the document from disk, sign, save, close).
 *
 *   java -cp CLASSPATH StoPdfboxSigner IN.pdf OUT.pdf PKI_DIR ACTS.tsv
 *
 * PKI_DIR: ca.pem, ca.key, tsa.pem, tsa.key (PEM; keys unencrypted PKCS#8, ECDSA P-256).
 * ACTS.tsv: one line per act, UTF-8, tab-separated: field_name naam functie partner email.
 *
 * One signing act k (everything below is inside the timed region of that act):
 *   1. PDDocument.load of the file written by act k-1 (IN.pdf for k = 1);
 *   2. a fresh EC P-256 key pair;
 *   3. an X.509 v3 certificate from the CA: CN=naam, title=functie, O=partner, C=NL, random
 *      positive 127-bit serial, 30 years, keyUsage digitalSignature+nonRepudiation (critical),
 *      basicConstraints CA:FALSE, SAN rfc822Name, SKI/AKI (as the C++ signer), and NO
 *      extendedKeyUsage (NSS rejects the signer with "Unknown issue with Certificate" for EKUs
 *      other than emailProtection);
 *   4. the existing field gets a PDSignature (Adobe.PPKLite / ETSI.CAdES.detached, /Name, /M),
 *      6144 bytes reserved for /Contents, and a visible appearance (three lines of Helvetica);
 *   5. CMS detached SignedData, SHA-256 / ECDSA, signed attributes exactly { contentType,
 *      messageDigest, signingCertificateV2 } (no signingTime: ETSI EN 319 142-1; no
 *      cmsAlgorithmProtect: the C++ signer has none either), signer + CA certificate included,
 *      then an RFC 3161 token over SHA-256(signature value) from an in-process TSA (request,
 *      response, response check, as the C++ peer does with OpenSSL's TS_RESP_CTX), added as the
 *      unsigned attribute id-aa-signatureTimeStampToken;
 *   6. saveIncremental into a temporary file beside OUT.pdf, fsync, atomic rename over OUT.pdf,
 *      fsync of the directory (best effort, like sto's atomic_file), close.
 *
 * Output on stdout: "act <k> <ms, 3 decimals> <size of OUT.pdf after the act>" per act and
 * "total <ms> <n>" at the end (wall time of all acts; loading the PKI and the TSV is excluded).
 * Any error: a message on stderr and exit status 1.
 */

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Date;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TimeZone;

import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.PDResources;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAnnotationWidget;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAppearanceDictionary;
import org.apache.pdfbox.pdmodel.interactive.annotation.PDAppearanceStream;
import org.apache.pdfbox.pdmodel.interactive.digitalsignature.PDSignature;
import org.apache.pdfbox.pdmodel.interactive.digitalsignature.SignatureOptions;
import org.apache.pdfbox.pdmodel.interactive.form.PDAcroForm;
import org.apache.pdfbox.pdmodel.interactive.form.PDField;
import org.apache.pdfbox.pdmodel.interactive.form.PDSignatureField;

import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.ess.ESSCertIDv2;
import org.bouncycastle.asn1.ess.SigningCertificateV2;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.IssuerSerial;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.CMSAttributeTableGenerator;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.CMSTypedData;
import org.bouncycastle.cms.SignerInfoGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.SignerInformationStore;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DigestCalculator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampResponseGenerator;
import org.bouncycastle.tsp.TimeStampToken;
import org.bouncycastle.tsp.TimeStampTokenGenerator;
import org.bouncycastle.util.CollectionStore;

public final class StoPdfboxSigner {

    /** DER bytes reserved for /Contents (12 288 hex digits), the size the C++ signer reserves. */
    private static final int RESERVED_CMS_BYTES = 6144;

    /** TSA policy: a UUID-based OID (2.25.x needs no registration); the same as the C++ peer. */
    private static final ASN1ObjectIdentifier TSA_POLICY =
            new ASN1ObjectIdentifier("2.25.329800735698586629295641978511506172918");

    /** ETSI.CAdES.detached is not among PDSignature's predefined sub-filter constants in 2.0. */
    private static final COSName SUBFILTER_CADES = COSName.getPDFName("ETSI.CAdES.detached");

    private static final SecureRandom RANDOM = new SecureRandom();

    private static final FileAttribute<Set<PosixFilePermission>> SHARED_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--"));

    /**
     * PDFBox 2 (through commons-logging and java.util.logging) warns on stderr, once per process,
     * that the standard-14 fonts are mapped to system fonts for rendering ("Using fallback font
     * LiberationSans for base font Helvetica"). Nothing is rendered here, so only errors from the
     * font package are shown. The reference keeps the logger from being garbage-collected.
     */
    private static final java.util.logging.Logger FONT_LOG =
            java.util.logging.Logger.getLogger("org.apache.pdfbox.pdmodel.font");

    /** One line of ACTS.tsv. */
    private static final class Act {
        final String field, naam, functie, partner, email;
        Act(String[] c) { field = c[0]; naam = c[1]; functie = c[2]; partner = c[3]; email = c[4]; }
    }

    /** The CA that issues one certificate per signing act, and the local TSA. */
    private static final class Pki {
        X509CertificateHolder ca, tsa;
        PrivateKey caKey, tsaKey;
        byte[] caKeyId;  // the CA's subjectKeyIdentifier, for the signer's authorityKeyIdentifier
        long tsaSerial;  // RFC 3161 serialNumber: a counter, unique within this process
    }

    /** Thrown for errors that are the caller's fault (bad input); printed without a stack trace. */
    private static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        Failure(String m) { super(m); }
    }

    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("usage: java -cp CLASSPATH StoPdfboxSigner IN.pdf OUT.pdf PKI_DIR ACTS.tsv");
            System.exit(1);
        }
        FONT_LOG.setLevel(java.util.logging.Level.SEVERE);
        try {
            run(Paths.get(args[0]), Paths.get(args[1]), Paths.get(args[2]), Paths.get(args[3]));
        } catch (Failure f) {
            System.err.println("StoPdfboxSigner: " + f.getMessage());
            System.exit(1);
        } catch (Exception | Error e) {
            System.err.println("StoPdfboxSigner: " + e);
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(Path in, Path out, Path pkiDir, Path actsFile) throws Exception {
        out = out.toAbsolutePath();
        Pki pki = loadPki(pkiDir);
        List<Act> acts = loadActs(actsFile);
        if (!Files.isRegularFile(in)) throw new Failure("input PDF not found: " + in);

        long start = System.nanoTime();
        Path current = in;
        for (int k = 1; k <= acts.size(); ++k) {
            long t0 = System.nanoTime();
            signOnce(current, out, acts.get(k - 1), pki);
            long t1 = System.nanoTime();
            // Printed at once, so a caller sees progress; the size is read after the timed region.
            System.out.println(String.format(Locale.ROOT, "act %d %.3f %d", k, (t1 - t0) / 1e6, Files.size(out)));
            current = out;
        }
        long end = System.nanoTime();
        System.out.println(String.format(Locale.ROOT, "total %.3f %d", (end - start) / 1e6, acts.size()));
        System.out.flush();
    }

    // ------------------------------------------------------------------ input

    private static Pki loadPki(Path dir) throws Exception {
        Pki p = new Pki();
        p.ca = readCert(dir.resolve("ca.pem"));
        p.tsa = readCert(dir.resolve("tsa.pem"));
        p.caKey = readKey(dir.resolve("ca.key"));
        p.tsaKey = readKey(dir.resolve("tsa.key"));
        Extension ski = p.ca.getExtension(Extension.subjectKeyIdentifier);
        p.caKeyId = ski != null
                ? SubjectKeyIdentifier.getInstance(ski.getParsedValue()).getKeyIdentifier()
                // RFC 5280 method 1, what openssl's "subjectKeyIdentifier=hash" computes
                : new JcaX509ExtensionUtils().createSubjectKeyIdentifier(p.ca.getSubjectPublicKeyInfo()).getKeyIdentifier();
        return p;
    }

    private static X509CertificateHolder readCert(Path f) throws Exception {
        Object o = readPem(f);
        if (!(o instanceof X509CertificateHolder)) throw new Failure(f + ": not a PEM certificate");
        return (X509CertificateHolder) o;
    }

    private static PrivateKey readKey(Path f) throws Exception {
        Object o = readPem(f);
        if (!(o instanceof PrivateKeyInfo)) throw new Failure(f + ": not an unencrypted PKCS#8 private key");
        return new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) o);
    }

    private static Object readPem(Path f) throws Exception {
        if (!Files.isReadable(f)) throw new Failure("cannot read " + f);
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            if (o == null) throw new Failure(f + ": no PEM object");
            return o;
        }
    }

    private static List<Act> loadActs(Path f) throws Exception {
        if (!Files.isReadable(f)) throw new Failure("cannot read " + f);
        List<Act> acts = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            ++n;
            if (n == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
            if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
            if (line.isEmpty()) continue;
            String[] c = line.split("\t", -1);
            if (c.length != 5 || c[0].isEmpty() || c[1].isEmpty())
                throw new Failure(f + ":" + n + ": expected field_name, naam, functie, partner, email separated by tabs");
            acts.add(new Act(c));
        }
        if (acts.isEmpty()) throw new Failure(f + ": no signing acts");
        return acts;
    }

    // ------------------------------------------------------------------ one signing act

    private static void signOnce(Path in, Path out, Act act, Pki pki) throws Exception {
        // 1: the document as the previous act left it on disk.
        try (PDDocument doc = PDDocument.load(in.toFile())) {
            // 2 + 3: a fresh key and certificate for this act only (the key is dropped afterwards).
            KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
            kpg.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair keys = kpg.generateKeyPair();
            X509CertificateHolder cert = issueCertificate(keys, act, pki);

            // getAcroForm(null): no "fixup", so PDFBox changes nothing it was not asked to change;
            // addSignature() below asks for the AcroForm the same way (and gets this cached one).
            PDAcroForm form = doc.getDocumentCatalog().getAcroForm(null);
            if (form == null) throw new Failure(in + ": no /AcroForm");
            PDField f = form.getField(act.field);
            if (!(f instanceof PDSignatureField)) throw new Failure(in + ": no signature field named " + act.field);
            PDSignatureField field = (PDSignatureField) f;
            if (field.getSignature() != null) throw new Failure(in + ": field " + act.field + " is already signed");
            if (field.getWidgets().size() != 1) throw new Failure("field " + act.field + " must have exactly one widget");
            PDAnnotationWidget widget = field.getWidgets().get(0);
            PDRectangle rect = widget.getRectangle();
            if (rect == null) throw new Failure("field " + act.field + " has no /Rect");

            // 4: the signature dictionary. /ByteRange and /Contents are reserved by addSignature.
            Calendar now = Calendar.getInstance(TimeZone.getTimeZone("UTC"), Locale.ROOT);
            PDSignature sig = new PDSignature();
            sig.setFilter(PDSignature.FILTER_ADOBE_PPKLITE);
            sig.setSubFilter(SUBFILTER_CADES);
            sig.setName(act.naam);
            sig.setSignDate(now);

            // Setting the field's /V first is how PDFBox 2 is told to fill this existing field:
            // addSignature() looks for a signature field whose /V is this PDSignature and reuses
            // it (no new field, the page's /Annots untouched); otherwise it would create a new one.
            // This is what field.setValue(sig) does, minus its "appearance generation for signature
            // fields not implemented" warning on every act.
            field.getCOSObject().setItem(COSName.V, sig);

            SignatureOptions options = new SignatureOptions();
            options.setPreferredSignatureSize(RESERVED_CMS_BYTES);
            doc.addSignature(sig, content -> cms(content, keys.getPrivate(), cert, pki), options);
            // Without a visual-signature template, addSignature() treats the signature as an
            // invisible one: it sets /Rect [0 0 0 0] and an empty /AP on our widget. Put the field's
            // own rectangle back and give it the visible appearance. (The documented alternative,
            // SignatureOptions.setVisualSignature with a template PDF built, saved and re-parsed
            // per act as in PDFBox's CreateVisibleSignature2 example, does more work; this keeps the
            // comparison kind to PDFBox.) addSignature already marked the field dict for the
            // incremental update, and new objects reachable from it are written with it.
            widget.setRectangle(rect);
            widget.setAppearance(appearance(doc, rect, act.naam, now));

            // 6: incremental save, then durable and atomic replacement of OUT.pdf.
            Path dir = out.getParent();
            // Created 0644 (less the umask) instead of createTempFile's default 0600, as sto does.
            Path tmp = Files.createTempFile(dir, ".stopdfbox-", ".pdf.tmp", SHARED_FILE);
            try {
                try (OutputStream os = new SyncOnCloseStream(new FileOutputStream(tmp.toFile()))) {
                    doc.saveIncremental(os);  // the SignatureInterface runs in here
                }
                try {
                    Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new Failure("cannot rename atomically into " + dir + ": " + e.getMessage());
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            syncDirectory(dir);
            options.close();  // only holds a visual-signature template, which we do not use
        }
    }

    /**
     * PDFBox's COSWriter closes the stream it was given at the end of saveIncremental(), so the
     * fsync has to happen inside close(): flush the buffer, force data and metadata, then close.
     */
    private static final class SyncOnCloseStream extends FilterOutputStream {
        private final FileOutputStream file;
        private boolean closed;
        SyncOnCloseStream(FileOutputStream file) {
            super(new BufferedOutputStream(file, 1 << 16));
            this.file = file;
        }
        // FilterOutputStream would otherwise write arrays one byte at a time.
        @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
        @Override public void close() throws IOException {
            if (closed) return;
            closed = true;
            try {
                out.flush();
                file.getChannel().force(true);
            } finally {
                out.close();
            }
        }
    }

    /** Makes the rename itself durable; best effort, as in sto's atomic_file. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // some file systems refuse fsync on a directory; the rename has happened anyway
        }
    }

    // ------------------------------------------------------------------ certificate

    private static X509CertificateHolder issueCertificate(KeyPair keys, Act act, Pki pki) throws Exception {
        X500NameBuilder nb = new X500NameBuilder(BCStyle.INSTANCE);
        nb.addRDN(BCStyle.C, "NL");  // same order as the C++ signer: C, O, title, CN
        if (!act.partner.isEmpty()) nb.addRDN(BCStyle.O, act.partner);
        if (!act.functie.isEmpty()) nb.addRDN(BCStyle.T, act.functie);
        nb.addRDN(BCStyle.CN, act.naam);
        X500Name subject = nb.build();

        // Random, positive, at most 127 bits: duplicate issuer+serial pairs make NSS pick the wrong
        // certificate and report later signatures as invalid.
        BigInteger serial;
        do serial = new BigInteger(127, RANDOM); while (serial.signum() == 0);

        long nowMs = System.currentTimeMillis();
        Date notBefore = new Date(nowMs - 60_000L);
        Calendar until = Calendar.getInstance(TimeZone.getTimeZone("UTC"), Locale.ROOT);
        until.setTimeInMillis(nowMs);
        until.add(Calendar.YEAR, 30);  // verifiers check the chain at "now"; this one never expires in practice

        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                pki.ca.getSubject(), serial, notBefore, until.getTime(), subject, keys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.nonRepudiation));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(pki.caKeyId));
        if (!act.email.isEmpty())
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.rfc822Name, act.email)));
        // Deliberately no extendedKeyUsage (see the header comment).
        ContentSigner caSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(pki.caKey);
        return b.build(caSigner);
    }

    // ------------------------------------------------------------------ CMS + timestamp

    /** Called by PDFBox during saveIncremental with the bytes covered by /ByteRange. */
    private static byte[] cms(InputStream content, PrivateKey key, X509CertificateHolder cert, Pki pki)
            throws IOException {
        try {
            // signingCertificateV2 with ESSCertIDv2: SHA-256 (the DER default, so the algorithm is
            // omitted from the encoding) of the signer certificate, plus issuer and serial.
            byte[] certHash = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
            IssuerSerial issuerSerial = new IssuerSerial(new GeneralNames(new GeneralName(cert.getIssuer())), cert.getSerialNumber());
            Attribute signingCertV2 = new Attribute(PKCSObjectIdentifiers.id_aa_signingCertificateV2,
                    new DERSet(new SigningCertificateV2(new ESSCertIDv2[] {new ESSCertIDv2(certHash, issuerSerial)})));

            // Our own signed-attribute generator instead of BC's default one, which would add
            // signingTime (forbidden by PAdES: the time is /M) and cmsAlgorithmProtect.
            CMSAttributeTableGenerator signedAttrs = params -> {
                Hashtable<ASN1ObjectIdentifier, Attribute> t = new Hashtable<>();
                t.put(CMSAttributes.contentType, new Attribute(CMSAttributes.contentType,
                        new DERSet((ASN1ObjectIdentifier) params.get(CMSAttributeTableGenerator.CONTENT_TYPE))));
                t.put(CMSAttributes.messageDigest, new Attribute(CMSAttributes.messageDigest,
                        new DERSet(new DEROctetString((byte[]) params.get(CMSAttributeTableGenerator.DIGEST)))));
                t.put(PKCSObjectIdentifiers.id_aa_signingCertificateV2, signingCertV2);
                return new AttributeTable(t);
            };

            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
            SignerInfoGenerator sig = new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder().build())
                    .setSignedAttributeGenerator(signedAttrs)
                    .build(signer, cert);
            CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
            gen.addSignerInfoGenerator(sig);
            gen.addCertificates(new CollectionStore<>(Arrays.asList(cert, pki.ca)));
            // Detached: the PDF bytes are only digested (streamed), not embedded.
            CMSSignedData signed = gen.generate(new StreamedContent(content), false);

            // B-T: a timestamp over the signature value, as an unsigned attribute.
            SignerInformation si = signed.getSignerInfos().getSigners().iterator().next();
            TimeStampToken token = timestamp(si.getSignature(), pki);
            Attribute tst = new Attribute(PKCSObjectIdentifiers.id_aa_signatureTimeStampToken,
                    new DERSet(token.toCMSSignedData().toASN1Structure()));
            si = SignerInformation.replaceUnsignedAttributes(si, new AttributeTable(tst));
            signed = CMSSignedData.replaceSigners(signed, new SignerInformationStore(si));
            byte[] der = signed.getEncoded(ASN1Encoding.DER);
            // PDFBox would refuse too ("Can't write signature, not enough space"); say it clearly.
            if (der.length > RESERVED_CMS_BYTES)
                throw new IOException("CMS is " + der.length + " bytes, only " + RESERVED_CMS_BYTES + " reserved");
            return der;
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("CMS signing failed: " + e, e);
        }
    }

    /**
     * A local RFC 3161 TSA in the same process: build a request (SHA-256 imprint, nonce, certReq),
     * let BC's TimeStampResponseGenerator answer it with the TSA key, then check the response
     * against the request and the token's signature against the TSA certificate. This mirrors the
     * C++ peer (TS_REQ, TS_RESP_create_response, TS_RESP_verify_response) minus any network.
     */
    private static TimeStampToken timestamp(byte[] signatureValue, Pki pki) throws Exception {
        byte[] imprint = MessageDigest.getInstance("SHA-256").digest(signatureValue);
        TimeStampRequestGenerator rg = new TimeStampRequestGenerator();
        rg.setCertReq(true);
        TimeStampRequest request = rg.generate(TSPAlgorithms.SHA256, imprint, new BigInteger(64, RANDOM));
        request = new TimeStampRequest(request.getEncoded());  // as a TSA receives it: DER

        DigestCalculator sha256 = new JcaDigestCalculatorProviderBuilder().build()
                .get(new org.bouncycastle.asn1.x509.AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256));
        // A SHA-256 calculator makes the token carry ESSCertIDv2 (not SHA-1 ESSCertID).
        TimeStampTokenGenerator tg = new TimeStampTokenGenerator(
                new JcaSimpleSignerInfoGeneratorBuilder().build("SHA256withECDSA", pki.tsaKey, pki.tsa),
                sha256, TSA_POLICY);
        tg.setAccuracySeconds(1);
        tg.addCertificates(new CollectionStore<>(Arrays.asList(pki.tsa, pki.ca)));
        TimeStampResponseGenerator respGen = new TimeStampResponseGenerator(tg, TSPAlgorithms.ALLOWED);
        TimeStampResponse response;
        synchronized (pki) {
            response = respGen.generate(request, BigInteger.valueOf(++pki.tsaSerial), new Date());
        }
        response = new TimeStampResponse(response.getEncoded());  // as the client receives it: DER
        response.validate(request);  // status granted, imprint and nonce match
        TimeStampToken token = response.getTimeStampToken();
        if (token == null) throw new CMSException("TSA refused: " + response.getStatusString());
        token.validate(new JcaSimpleSignerInfoVerifierBuilder().build(pki.tsa));
        return token;
    }

    /** CMSTypedData over PDFBox's InputStream, so the document is digested without a copy. */
    private static final class StreamedContent implements CMSTypedData {
        private final InputStream in;
        StreamedContent(InputStream in) { this.in = in; }
        @Override public ASN1ObjectIdentifier getContentType() { return PKCSObjectIdentifiers.data; }
        @Override public Object getContent() { return in; }
        @Override public void write(OutputStream out) throws IOException {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) out.write(buf, 0, n);
        }
    }

    // ------------------------------------------------------------------ appearance

    /**
     * A Form XObject of the widget's size: a light background and three lines of Helvetica 9 pt,
     * the same layout as the C++ signer's appearance. Helvetica (standard 14, not embedded) uses
     * WinAnsiEncoding, so characters it cannot encode (Ł, ğ, ...) are drawn as '?'. The C++ signer
     * draws with the contract's embedded font instead.
     */
    private static PDAppearanceDictionary appearance(PDDocument doc, PDRectangle rect, String naam, Calendar when)
            throws IOException {
        float w = rect.getWidth(), h = rect.getHeight();
        PDAppearanceStream ap = new PDAppearanceStream(doc);
        ap.setBBox(new PDRectangle(w, h));
        ap.setResources(new PDResources());
        PDFont font = PDType1Font.HELVETICA;
        SimpleDateFormat fmt = new SimpleDateFormat("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT);
        fmt.setTimeZone(TimeZone.getTimeZone("UTC"));
        String[] lines = {"Digitaal ondertekend door", naam, fmt.format(when.getTime())};
        try (PDPageContentStream cs = new PDPageContentStream(doc, ap)) {
            cs.saveGraphicsState();
            cs.setNonStrokingColor(0.93f, 0.95f, 1f);
            cs.addRect(0, 0, w, h);
            cs.fill();
            cs.restoreGraphicsState();
            cs.beginText();
            cs.setFont(font, 9);
            cs.setLeading(11);
            cs.newLineAtOffset(4, h - 13);
            for (String l : lines) {
                cs.showText(encodable(font, l));
                cs.newLine();
            }
            cs.endText();
        }
        PDAppearanceDictionary dict = new PDAppearanceDictionary();
        dict.setNormalAppearance(ap);
        return dict;
    }

    /** The text with every character the font cannot encode replaced by '?'. */
    private static String encodable(PDFont font, String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            String ch = new String(Character.toChars(cp));
            try {
                font.encode(ch);
                b.append(ch);
            } catch (IllegalArgumentException | IOException e) {
                b.append('?');
            }
            i += Character.charCount(cp);
        }
        return b.toString();
    }
}
