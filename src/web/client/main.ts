// The pages' client code, bundled by esbuild (src/web/assets.ts). Every page works without it.
import { enhanceAsOf } from './as-of';
import { followLedger } from './live';

enhanceAsOf(document);
followLedger(document);
