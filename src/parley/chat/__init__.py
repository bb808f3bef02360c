"""The chat core: users, rooms, permissions, messages, accounts and presence, written once.

It takes typed commands (`parley.chat.commands`) through a command table and answers with an
outcome, delivering events (`parley.chat.events`) to the sessions concerned. It knows no
socket, no wire dialect and no transport: doors (`parley.server.doors`) translate.
"""
