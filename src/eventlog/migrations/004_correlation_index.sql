-- Following a correlation id across aggregates (the UI's tree) starts from the command archive.
create index processed_commands_correlation on processed_commands ((metadata->>'correlationId'));
