import readline from 'node:readline';

/**
 * Asks on the terminal (or whatever is piped in) and resolves true only for "y" or "yes"; an
 * empty answer or the end of input is no.
 */
export function confirmOnStdin(question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
    let answered = false;
    rl.on('close', () => {
      if (!answered) process.stdout.write('\n');
      resolve(false);
    });
    rl.question(`${question} [y/N] `, (answer) => {
      answered = true;
      resolve(/^y(es)?$/i.test(answer.trim()));
      rl.close();
    });
  });
}
