"""The Discord adapter: slash commands, embeds and reply follow-ups over the platform-neutral core.

The package itself stays empty: `settings` (the config section) must load without discord.py;
`adapter.create_adapter` is what `khulasa run` imports when Discord is enabled.
"""
