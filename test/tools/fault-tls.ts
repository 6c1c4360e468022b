/**
 * Bad TLS on purpose: certificates with chosen validity and names (keys from Node's crypto, X.509 built
 * by node-forge, since Debian's openssl 3.0 cannot back-date a certificate), and a Mosquitto with one
 * TLS listener per certificate.
 */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';
import { freePort } from './mosquitto.js';
import { spawnMosquitto } from './fault-mosquitto.js';

interface Issued {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

const DAY = 24 * 3600 * 1000;
let serial = 1;

function keyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e) };
}

function issue(opts: { cn: string; ca?: Issued; isCa?: boolean; from: Date; to: Date; dns?: string[]; ips?: string[] }): Issued {
  const { privateKey, publicKey } = keyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = (serial++).toString(16).padStart(2, '0');
  cert.validity.notBefore = opts.from;
  cert.validity.notAfter = opts.to;
  cert.setSubject([{ name: 'commonName', value: opts.cn }]);
  cert.setIssuer((opts.ca?.cert ?? cert).subject.attributes);
  const altNames = [...(opts.dns ?? []).map((value) => ({ type: 2, value })), ...(opts.ips ?? []).map((ip) => ({ type: 7, ip }))];
  cert.setExtensions([
    { name: 'basicConstraints', cA: opts.isCa ?? false, critical: true },
    { name: 'keyUsage', critical: true, ...(opts.isCa ? { keyCertSign: true, cRLSign: true } : { digitalSignature: true, keyEncipherment: true }) },
    ...(opts.isCa ? [] : [{ name: 'extKeyUsage', serverAuth: true }]),
    ...(altNames.length ? [{ name: 'subjectAltName', altNames }] : []),
  ]);
  cert.sign(opts.ca?.key ?? privateKey, forge.md.sha256.create());
  return { cert, key: privateKey };
}

function write(dir: string, name: string, issued: Issued): { cert: string; key: string } {
  const cert = path.join(dir, `${name}.pem`);
  const key = path.join(dir, `${name}.key`);
  fs.writeFileSync(cert, forge.pki.certificateToPem(issued.cert));
  fs.writeFileSync(key, forge.pki.privateKeyToPem(issued.key), { mode: 0o600 });
  return { cert, key };
}

export interface BadCertificates {
  /** the CA that signed every server certificate below */
  ca: string;
  /** another CA, that signed nothing the broker shows */
  otherCa: string;
  good: { cert: string; key: string };
  expired: { cert: string; key: string };
  wrongHost: { cert: string; key: string };
}

export function makeBadCertificates(dir: string): BadCertificates {
  const now = Date.now();
  const ca = issue({ cn: 'Apiary Fault CA', isCa: true, from: new Date(now - DAY), to: new Date(now + 30 * DAY) });
  const other = issue({ cn: 'Some Other CA', isCa: true, from: new Date(now - DAY), to: new Date(now + 30 * DAY) });
  const loopback = { dns: ['localhost'], ips: ['127.0.0.1'] };
  return {
    ca: write(dir, 'ca', ca).cert,
    otherCa: write(dir, 'other-ca', other).cert,
    good: write(dir, 'good', issue({ cn: 'localhost', ca, from: new Date(now - DAY), to: new Date(now + 30 * DAY), ...loopback })),
    expired: write(dir, 'expired', issue({ cn: 'localhost', ca, from: new Date(now - 20 * DAY), to: new Date(now - 10 * DAY), ...loopback })),
    wrongHost: write(dir, 'wrong-host', issue({ cn: 'broker.example.net', ca, from: new Date(now - DAY), to: new Date(now + 30 * DAY), dns: ['broker.example.net'] })),
  };
}

export interface TlsBroker {
  urls: { good: string; expired: string; wrongHost: string };
  certs: BadCertificates;
  stop(): Promise<void>;
}

/** Mosquitto with three TLS listeners on loopback: a good, an expired and a wrong-host certificate. */
export async function startTlsMosquitto(dir: string): Promise<TlsBroker> {
  const certs = makeBadCertificates(dir);
  const ports = { good: await freePort(), expired: await freePort(), wrongHost: await freePort() };
  const listener = (port: number, files: { cert: string; key: string }) => [`listener ${port} 127.0.0.1`, `certfile ${files.cert}`, `keyfile ${files.key}`];
  const broker = await spawnMosquitto(
    dir,
    [
      'per_listener_settings false',
      'allow_anonymous true',
      'persistence false',
      ...listener(ports.good, certs.good),
      ...listener(ports.expired, certs.expired),
      ...listener(ports.wrongHost, certs.wrongHost),
    ],
    Object.values(ports),
  );
  const url = (port: number) => `mqtts://127.0.0.1:${port}`;
  return {
    urls: { good: url(ports.good), expired: url(ports.expired), wrongHost: url(ports.wrongHost) },
    certs,
    stop: broker.stop,
  };
}
