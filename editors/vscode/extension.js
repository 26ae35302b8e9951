// The VS Code client of `equiflow lsp`: starts the server over stdio for .flow files.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function serverOptions() {
  const config = vscode.workspace.getConfiguration('equiflow');
  let command = config.get('server.path', 'equiflow');
  // A relative path (e.g. bin/equiflow) is taken from the first workspace folder.
  const folders = vscode.workspace.workspaceFolders;
  if (command.includes('/') && !command.startsWith('/') && folders && folders.length > 0) {
    command = vscode.Uri.joinPath(folders[0].uri, command).fsPath;
  }
  return { command, args: config.get('server.args', ['lsp']), transport: TransportKind.stdio };
}

async function start() {
  client = new LanguageClient('equiflow', 'equiflow', serverOptions(), {
    documentSelector: [{ scheme: 'file', language: 'flow' }, { scheme: 'untitled', language: 'flow' }],
  });
  await client.start();
}

async function activate(context) {
  context.subscriptions.push(vscode.commands.registerCommand('equiflow.restartServer', async () => {
    if (client) await client.stop();
    await start();
  }));
  try {
    await start();
  } catch (e) {
    vscode.window.showErrorMessage(`equiflow: could not start the language server (${serverOptions().command} lsp): ${e.message}. `
      + 'Set "equiflow.server.path" to bin/equiflow of an equiflow checkout.');
  }
}

async function deactivate() {
  if (client) await client.stop();
}

module.exports = { activate, deactivate };
