//! Message transport: fetch tasks, reports and articles over RabbitMQ (lapin) or in memory.
