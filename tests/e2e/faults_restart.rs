//! Broker and Redis restarts during a crawl (serialized): being written.
