export { feedLocation, feedStored, readFeed, refreshFeed } from "./read";
