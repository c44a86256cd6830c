#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# A running Firefox, driven through Marionette (127.0.0.1:2828) with
# ../shared/tools/firefox/marionette.py (first argument: its folder):
#   ff.py DIR tokens                  the tokens it sees, one JSON line each
#                                     ({module, lib, token}); NSS's own left out
#   ff.py DIR login TOKEN PIN URL     log in to TOKEN (the PIN prompt answered as
#                                     it opens), then print URL's page source
# Works with both shapes of nsIPKCS11ModuleDB: Firefox ESR 140 (Debian 12's
# bookworm suite: enumerators, listSlots()) and 153 (bookworm-security:
# promises, the "slots" attribute, which ../shared/tools/firefox/fflogin.py
# expects).
import json
import sys

sys.path.insert(0, sys.argv[1])
from marionette import M  # noqa: E402

TOKENS = """
  const mdb = Cc["@mozilla.org/security/pkcs11moduledb;1"].getService(Ci.nsIPKCS11ModuleDB);
  return (async () => {
    const out = [];
    for (const mod of await mdb.listModules()) {
      if (!mod.libName || mod.libName.includes("nssckbi")) continue;   // NSS's own
      const slots = mod.slots !== undefined ? await mod.slots : mod.listSlots();
      for (const sl of slots) {
        let t = null;
        try { t = await sl.getToken(); } catch (e) { }
        if (t && t.tokenName && sl.status != Ci.nsIPKCS11Slot.SLOT_NOT_PRESENT)
          out.push({module: mod.name, lib: mod.libName, token: t.tokenName});
      }
    }
    return out; })();"""

# The PIN prompt is a common dialog: fill it in when it opens and accept it.
LOGIN = """
  const [name, pin] = arguments;
  const obs = { observe(subject) {
      const w = subject.document ? subject : subject.ownerGlobal;
      const pw = w.document.getElementById("password1Textbox");
      if (!pw) return;
      pw.value = pin;
      w.setTimeout(() => w.document.querySelector("dialog").acceptDialog(), 0);
      Services.obs.removeObserver(obs, "common-dialog-loaded");
  } };
  Services.obs.addObserver(obs, "common-dialog-loaded");
  const mdb = Cc["@mozilla.org/security/pkcs11moduledb;1"].getService(Ci.nsIPKCS11ModuleDB);
  return (async () => {
    for (const mod of await mdb.listModules()) {
      const slots = mod.slots !== undefined ? await mod.slots : mod.listSlots();
      for (const sl of slots) {
        let t = null;
        try { t = await sl.getToken(); } catch (e) { }
        if (t && t.tokenName == name) { await t.login(false); return "login asked"; }
      }
    }
    return "token not found"; })();"""

m = M()
m.cmd("WebDriver:NewSession", {})
if sys.argv[2] == "tokens":
    m.cmd("Marionette:SetContext", {"value": "chrome"})
    for row in m.cmd("WebDriver:ExecuteScript", {"script": TOKENS})["value"]:
        print(json.dumps(row))
elif sys.argv[2] == "login":
    token, pin, url = sys.argv[3:6]
    m.cmd("Marionette:SetContext", {"value": "chrome"})
    print("login:", m.cmd("WebDriver:ExecuteScript", {"args": [token, pin], "script": LOGIN})["value"])
    m.cmd("Marionette:SetContext", {"value": "content"})
    m.cmd("WebDriver:Navigate", {"url": url})
    print(m.cmd("WebDriver:GetPageSource")["value"])
m.cmd("WebDriver:DeleteSession")
