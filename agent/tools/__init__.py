"""The read-only tools the model may call: Read, Glob and Grep, confined to one workdir."""

from agent.sandbox import ToolError, Workdir
from agent.tools.base import Tool
from agent.tools.glob import GlobTool
from agent.tools.grep import GrepTool
from agent.tools.read import ReadTool

TOOLS: dict[str, Tool] = {tool.name: tool for tool in (ReadTool(), GlobTool(), GrepTool())}

__all__ = ["TOOLS", "GlobTool", "GrepTool", "ReadTool", "Tool", "ToolError", "Workdir"]
