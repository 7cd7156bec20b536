export { feedProductSchema, parseFeed, MAX_FEED_PRODUCTS, type FeedProduct, type ParsedFeed } from "./schema";
export { feedLocation, feedStored, readFeed, refreshFeed, type Feed } from "./read";
