#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# The page source of URL in a running Firefox (Marionette), for a check that
# reads the whole page; the first argument is marionette.py's folder.
import sys

sys.path.insert(0, sys.argv[1])
from marionette import M  # noqa: E402

m = M()
m.cmd("WebDriver:NewSession", {})
m.cmd("WebDriver:Navigate", {"url": sys.argv[2]})
print(m.cmd("WebDriver:GetPageSource")["value"])
m.cmd("WebDriver:DeleteSession")
