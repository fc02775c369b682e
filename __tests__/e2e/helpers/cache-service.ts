// GitHub's Actions cache on loopback: Azurite behind a stand-in for the cache service
// (test-support/cache-service.ts).
export {
  flipContentByte,
  startCacheService,
  type CacheServiceStandIn
} from '../../../test-support/cache-service.js'
