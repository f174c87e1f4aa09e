import 'reflect-metadata';
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// The Web Crypto global: the same types @peculiar/x509 is written against.
const webcrypto = globalThis.crypto;
x509.cryptoProvider.set(webcrypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** A certificate and its private key, both PEM (key as unencrypted PKCS#8). */
export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

/** A certificate authority able to issue leaf certificates. */
export interface CertificateAuthority extends IssuedCertificate {
  issue(leaf: LeafSpec): Promise<IssuedCertificate>;
}

export interface LeafSpec {
  /** Subject common name (for a client certificate, who it stands for). */
  commonName: string;
  /** DNS names and IP addresses the server certificate is valid for. */
  dnsNames?: string[];
  ipAddresses?: string[];
  /** serverAuth, clientAuth or both (the default). */
  usage?: 'server' | 'client' | 'both';
  validDays?: number;
}

/**
 * A fresh local CA (ECDSA P-256) for development, demos and tests: the demo
 * and the project's local Kafka broker make their own, so TLS is on even on a
 * laptop. Production uses the operator's PKI; nothing here is needed then.
 */
export async function createCertificateAuthority(commonName: string, validDays = 365): Promise<CertificateAuthority> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + validDays * DAY_MS),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return loadCertificateAuthority(cert.toString('pem'), await pkcs8Pem(keys.privateKey));
}

/** A CA from its PEM certificate and PKCS#8 key, e.g. read back from a state folder. */
export async function loadCertificateAuthority(certPem: string, keyPem: string): Promise<CertificateAuthority> {
  const caCert = new x509.X509Certificate(certPem);
  const der = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  const caKey = await webcrypto.subtle.importKey('pkcs8', der, ALG, false, ['sign']);
  return {
    certPem,
    keyPem,
    async issue(leaf: LeafSpec): Promise<IssuedCertificate> {
      const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
      const usage = leaf.usage ?? 'both';
      const eku = [
        ...(usage !== 'client' ? [x509.ExtendedKeyUsage.serverAuth] : []),
        ...(usage !== 'server' ? [x509.ExtendedKeyUsage.clientAuth] : []),
      ];
      const altNames = [
        ...(leaf.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
        ...(leaf.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
      ];
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `CN=${leaf.commonName}`,
        issuer: caCert.subject,
        notBefore: new Date(Date.now() - DAY_MS),
        notAfter: new Date(Date.now() + (leaf.validDays ?? 365) * DAY_MS),
        publicKey: keys.publicKey,
        signingKey: caKey,
        signingAlgorithm: ALG,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
          new x509.ExtendedKeyUsageExtension(eku),
          ...(altNames.length > 0 ? [new x509.SubjectAlternativeNameExtension(altNames)] : []),
          await x509.AuthorityKeyIdentifierExtension.create(caCert),
        ],
      });
      return { certPem: cert.toString('pem'), keyPem: await pkcs8Pem(keys.privateKey) };
    },
  };
}

/** SHA-256 of a certificate's DER, lower-case hex: how the registry binds a client certificate to an agency. */
export function certificateFingerprint(certPemOrDer: string | Buffer): string {
  const der = typeof certPemOrDer === 'string' ? new X509Certificate(certPemOrDer).raw : certPemOrDer;
  return createHash('sha256').update(der).digest('hex');
}

function serial(): string {
  // Positive, non-zero, 16 random bytes (RFC 5280 §4.1.2.2 allows up to 20).
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}

async function pkcs8Pem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
}
