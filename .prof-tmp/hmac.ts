const key = await crypto.subtle.importKey('raw', new Uint8Array(32), { name: 'HMAC', hash: 'SHA-512' }, false, ['sign'])
const data = new Uint8Array(48)
for (let round = 0; round < 3; round++) {
  let t = performance.now(); const n = 20000
  for (let i = 0; i < n; i++) await crypto.subtle.sign('HMAC', key, data)
  const seq = (performance.now() - t) * 1000 / n
  t = performance.now()
  await Promise.all(Array.from({ length: n }, () => crypto.subtle.sign('HMAC', key, data)))
  const par = (performance.now() - t) * 1000 / n
  t = performance.now()
  for (let i = 0; i < n; i++) await crypto.subtle.digest('SHA-512', data)
  const dig = (performance.now() - t) * 1000 / n
  console.log(`sign seq ${seq.toFixed(1)} µs, parallel ${par.toFixed(1)} µs, digest seq ${dig.toFixed(1)} µs`)
}
