"""Libraries, console accounts, roles and what each role may see and edit."""
