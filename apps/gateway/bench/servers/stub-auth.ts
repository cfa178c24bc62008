// Bench: a stand-in for auth's token endpoint. Mints one ES256 at+jwt per exchange for any `bench-<user>`
// token and counts exchanges (GET /stats), so the bench can count the gateway's calls to auth.
import { createServer } from 'node:http';
import { generateKeyPair, SignJWT } from 'jose';

const ISSUER = process.env.ISSUER ?? 'http://127.0.0.1:8080/auth';
const port = Number(process.env.PORT ?? '0');
const { privateKey } = await generateKeyPair('ES256');
let exchanges = 0;

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    if (req.url === '/stats') {
      res.end(JSON.stringify({ exchanges }));
      return;
    }
    exchanges += 1;
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const token = form.get('subject_token') ?? '';
    if (!token.startsWith('bench-')) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":"invalid_grant"}');
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    void new SignJWT({ client_id: 'bench', scope: 'orders', act: { sub: 'gateway' } })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'bench' })
      .setIssuer(ISSUER)
      .setSubject(token.slice('bench-'.length))
      .setAudience(form.get('audience') ?? '')
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .setJti(String(exchanges))
      .sign(privateKey)
      .then((jwt) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            access_token: jwt,
            issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
            token_type: 'Bearer',
            expires_in: 300,
          }),
        );
      });
  });
});
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === 'object' && address !== null ? address.port : 0 })}\n`,
  );
});
