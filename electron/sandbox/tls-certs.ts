/**
 * The sandbox's TLS material: a private CA and a server certificate for localhost / 127.0.0.1 / ::1,
 * generated on first run into the data dir and reused afterwards (regenerated when missing or expired).
 * Keys and signatures come from Node's crypto; node-forge only lays out the X.509 certificates (Node cannot build
 * one). Signing in node-forge's JavaScript RSA took seconds of CPU under load and left ~10 MB of garbage that a
 * flood on a first run then kept in the heap. Node's X509Certificate reads the certificates back, so node-forge is
 * loaded only on the runs that make certificates, not on every start.
 */
import { X509Certificate, generateKeyPair, randomBytes, sign } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type forge from 'node-forge';

let forgeLib: typeof forge | undefined;
function nodeForge(): typeof forge {
  return (forgeLib ??= createRequire(import.meta.url)('node-forge') as typeof forge);
}

export interface TlsMaterial {
  caPath: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

const FILES = { ca: 'sandbox-ca.pem', caKey: 'sandbox-ca.key', cert: 'sandbox-server.pem', key: 'sandbox-server.key' };

/** Where the CA is (or will be, once made): what clients are told to trust. */
export function caPathIn(dataDir: string): string {
  return join(dataDir, FILES.ca);
}

/**
 * Reuses the material in dataDir, or makes it. The RSA keys are generated on libuv's thread pool (two at once), so a
 * first run goes on starting the sandbox's other listeners meanwhile instead of blocking for them.
 */
export async function ensureTlsMaterial(dataDir: string): Promise<TlsMaterial> {
  const paths = Object.fromEntries(Object.entries(FILES).map(([k, f]) => [k, join(dataDir, f)])) as Record<
    keyof typeof FILES,
    string
  >;
  const present = Object.values(paths).every((p) => existsSync(p));
  if (present && stillValid(readFileSync(paths.cert, 'utf8')) && stillValid(readFileSync(paths.ca, 'utf8'))) {
    return {
      caPath: paths.ca,
      caPem: readFileSync(paths.ca, 'utf8'),
      certPem: readFileSync(paths.cert, 'utf8'),
      keyPem: readFileSync(paths.key, 'utf8'),
    };
  }
  const [caKeys, serverKeys] = await Promise.all([newKeys(), newKeys()]);
  const ca = makeCa(caKeys);
  const server = makeServerCert(ca, serverKeys);
  writeSecret(paths.caKey, ca.keyPem);
  writeSecret(paths.key, server.keyPem);
  writeFileSync(paths.ca, ca.certPem);
  writeFileSync(paths.cert, server.certPem);
  return { caPath: paths.ca, caPem: ca.certPem, certPem: server.certPem, keyPem: server.keyPem };
}

function stillValid(pem: string): boolean {
  try {
    return new Date(new X509Certificate(pem).validTo).getTime() > Date.now() + 86_400_000;
  } catch {
    return false;
  }
}

function writeSecret(path: string, pem: string): void {
  writeFileSync(path, pem, { mode: 0o600 });
  chmodSync(path, 0o600);
}

interface Issued {
  cert: forge.pki.Certificate;
  certPem: string;
  keyPem: string;
}

const generateKeyPairAsync = promisify(generateKeyPair);

type Keys = { publicKey: forge.pki.rsa.PublicKey; keyPem: string };

async function newKeys(): Promise<Keys> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    publicKey: nodeForge().pki.publicKeyFromPem(publicKey) as forge.pki.rsa.PublicKey,
    keyPem: privateKey,
  };
}

/** Signs the certificate with SHA-256/RSA by Node's crypto: what forge's cert.sign() does, minus its JavaScript RSA. */
function signWith(cert: forge.pki.Certificate, issuerKeyPem: string): void {
  const lib = nodeForge();
  cert.siginfo.algorithmOid = lib.pki.oids.sha256WithRSAEncryption!;
  cert.signatureOid = lib.pki.oids.sha256WithRSAEncryption!;
  // getTBSCertificate is public in node-forge (x509.js) but missing from its type definitions
  const pki = lib.pki as typeof lib.pki & { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 };
  const tbs = pki.getTBSCertificate(cert);
  (cert as forge.pki.Certificate & { tbsCertificate: forge.asn1.Asn1 }).tbsCertificate = tbs;
  const der = Buffer.from(lib.asn1.toDer(tbs).getBytes(), 'binary');
  cert.signature = sign('sha256', der, issuerKeyPem).toString('binary');
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f; // positive
  return bytes.toString('hex');
}

function validFor(cert: forge.pki.Certificate, days: number): void {
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 3_600_000); // tolerate small clock skew
  cert.validity.notAfter = new Date(now.getTime() + days * 86_400_000);
}

function makeCa(keys: Keys): Issued {
  const cert = nodeForge().pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  validFor(cert, 3650);
  const subject = [
    { name: 'commonName', value: 'Apiary Sandbox Local CA' },
    { name: 'organizationName', value: 'Apiary sandbox' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  signWith(cert, keys.keyPem);
  return { cert, certPem: nodeForge().pki.certificateToPem(cert), keyPem: keys.keyPem };
}

function makeServerCert(ca: Issued, keys: Keys): Issued {
  const cert = nodeForge().pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  validFor(cert, 825);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
      ],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  signWith(cert, ca.keyPem);
  return { cert, certPem: nodeForge().pki.certificateToPem(cert), keyPem: keys.keyPem };
}
