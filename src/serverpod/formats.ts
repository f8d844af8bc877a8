import type { TokenFormats } from '../managers/formats.ts'
import { Argon2idHasher, type Argon2Parameters } from './argon2.ts'
import { rawFixedSecret, ServerpodSessionHasher } from './hashes.ts'
import {
  decodeServerpodRefreshToken, decodeServerpodSessionToken, encodeServerpodRefreshToken, encodeServerpodSessionToken,
  serverpodRefreshSecretLengths,
} from './tokens.ts'

/** Serverpod 3.4's token strings and stored hashes, and its access-token leeway (none). */
export function serverpodFormats(argon2: Argon2Parameters): TokenFormats {
  return {
    refreshToken: {
      secretLengths: serverpodRefreshSecretLengths,
      encode: encodeServerpodRefreshToken,
      decode: decodeServerpodRefreshToken,
      hashers: (options) => ({ fixed: rawFixedSecret, rotating: new Argon2idHasher(options, argon2) }),
    },
    session: {
      encode: encodeServerpodSessionToken,
      decode: decodeServerpodSessionToken,
      hasher: (options) => new ServerpodSessionHasher(options),
    },
    clockTolerance: 0,
  }
}
