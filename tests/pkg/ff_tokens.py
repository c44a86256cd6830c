#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# The PKCS#11 tokens a running Firefox (Marionette on 127.0.0.1:2828) sees, as
# JSON lines {module, lib, token}: every slot that holds a token, NSS's own
# modules left out. Uses ../shared/tools/firefox/marionette.py (first argument:
# its folder).
import json
import sys

sys.path.insert(0, sys.argv[1])
from marionette import M  # noqa: E402

JS = """
  const mdb = Cc["@mozilla.org/security/pkcs11moduledb;1"].getService(Ci.nsIPKCS11ModuleDB);
  return (async () => {
    const out = [];
    for (const mod of await mdb.listModules()) {
      if (!mod.libName) continue;                     // NSS internal module
      if (mod.libName.includes("nssckbi")) continue;  // built-in roots
      for (const sl of await mod.slots) {
        let t = null;
        try { t = await sl.getToken(); } catch (e) { }
        if (t && t.tokenName && sl.status != Ci.nsIPKCS11Slot.SLOT_NOT_PRESENT)
          out.push({module: mod.name, lib: mod.libName, token: t.tokenName});
      }
    }
    return out; })();"""

m = M()
m.cmd("WebDriver:NewSession", {})
m.cmd("Marionette:SetContext", {"value": "chrome"})
for row in m.cmd("WebDriver:ExecuteScript", {"script": JS})["value"]:
    print(json.dumps(row))
m.cmd("WebDriver:DeleteSession")
