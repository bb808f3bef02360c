"""The IRC door's commands about users themselves: AWAY, SETNAME, OPER and KILL, WHOWAS,
and the server's INFO and LINKS.

A base of `parley.server.doors.irc.IrcDoor`. Away messages, real names and the names that
were online are the core's (`parley.chat.profiles`); operator accounts come from the
``[operators]`` table of the configuration, and an operator is the server's operator.
"""

from __future__ import annotations

import logging
import time

from parley import __version__
from parley.chat import commands as core
from parley.chat.answers import Done
from parley.chat.passwords import matches_configured
from parley.protocol import irc
from parley.server.doors.irc_channels import IrcChannels
from parley.server.doors.irc_encoding import HOST

log = logging.getLogger("parley.server")


class IrcUsers(IrcChannels):
    """What a user says about itself, operators, and who was online."""

    __slots__ = ()

    def _away(self, params: tuple[str, ...]) -> None:
        message = params[0] if params else ""
        self.call(core.SetAway(message), self._away_answer)

    def _away_answer(self, answer: Done) -> None:
        if answer.detail:
            self._numeric("306", "You have been marked as being away")
        else:
            self._numeric("305", "You are no longer marked as being away")

    def _setname(self, params: tuple[str, ...]) -> None:
        if "setname" not in self._caps:
            self._numeric("421", "SETNAME", "Unknown command")
            return
        self.call(core.SetRealName(params[0]), self._setname_answer)

    def _setname_answer(self, answer: Done) -> None:
        if not answer.ok:
            self._fail("SETNAME", "INVALID_REALNAME", "Real name is not valid")
            return
        source, tags = self.prefix_of(self._nick), self.tags(None)
        self._send(irc.Message("SETNAME", (answer.detail,), source, tags, trailing=True))

    def _oper(self, params: tuple[str, ...]) -> None:
        """``OPER <name> <password>`` against the ``[operators]`` table of the configuration."""
        secrets = dict(getattr(self._link.config, "operators", ()))
        secret = secrets.get(params[0])
        if secret is None:
            self._numeric("491", "No O-lines for your host")
        else:
            self._run(self._oper_checked(secret, params[1]))

    async def _oper_checked(self, secret: str, password: str) -> None:
        self._opered(await matches_configured(secret, password))

    def _opered(self, right: bool) -> None:
        if not right:
            self._numeric("464", "Password incorrect")
            return
        self._link.session.is_operator = True  # the server's operator: moderates everywhere
        log.info("%s is now an IRC operator (from %s)", self._nick, self._link.address)
        self._numeric("381", "You are now an IRC operator")
        self._send(irc.Message("MODE", (self._nick, "+o"), self.prefix_of(self._nick)))

    def _whowas(self, params: tuple[str, ...]) -> None:
        nick, count = params[0], params[1] if len(params) > 1 else ""
        gone = self._link.core.profiles.was(nick)
        if count.lstrip("-").isdigit() and int(count) > 0:
            gone = gone[: int(count)]
        for entry in gone:
            self._numeric("314", entry.name, entry.user_name, HOST, "*", entry.real_name)
            when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(entry.at))
            self._numeric("312", entry.name, self._server, when)
        if not gone:
            self._numeric("406", nick, "There was no such nickname")
        self._numeric("369", nick, "End of WHOWAS")

    def _kill(self, params: tuple[str, ...]) -> None:
        """``KILL <nick> :<reason>``: an IRC operator closes every connection of a user."""
        if not self._link.session.is_operator:
            self._numeric("481", "Permission Denied- You're not an IRC operator")
            return
        user = self._link.core.user(params[0])
        if user is None:
            self._numeric("401", params[0], "No such nick/channel")
            return
        reason = params[1] if len(params) > 1 else "no reason given"
        log.info("%s killed %s: %s", self._nick, user.name, reason)
        for session in list(user.sessions):
            session.endpoint.close(f"Killed by {self._nick} ({reason})", notify=True)

    def _info(self, params: tuple[str, ...]) -> None:
        self._numeric("371", f"Parley {__version__}: one chat server, many doors")
        self._numeric("374", "End of INFO list")

    def _links(self, params: tuple[str, ...]) -> None:
        self._numeric("364", self._server, self._server, f"0 {self._description}")
        self._numeric("365", "*", "End of LINKS list")
