"""The MCP server (an edge, like the CLI): RecordRoute's archive as tools for agents."""
