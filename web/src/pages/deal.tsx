// One deal from the indexer (bills, terms over time, change requests), and its task through the
// worker's control plane: start, status, logs followed live, exec, stop, signed by a session key
// the customer's wallet grants once.
import { useEffect, useState } from 'preact/hooks';
import { bytesText, chainNow, marketRpc } from '../chain';
import { useConsole } from '../context';
import { TaskControl, WorkerError, openSession, type TaskAnswer } from '../control';
import { get } from '../indexer';
import type { Deal } from '../generated/shapes';
import { Address, Show, describeError, useLoad } from '../ui';

export function DealPage({ id }: { id: number }) {
  const { endpoints, terms, finalized } = useConsole();
  const detail = useLoad(() => get(endpoints.indexer, '/deals/{id}', { id }), [id, finalized]);
  return (
    <section>
      <h2>Deal {id}</h2>
      <p>
        <a href={`#/deals/${id}/task`}>Its task</a>
      </p>
      <Show loaded={detail} what={`deal ${id}`}>
        {({ deal, bills, terms: conditions, changes }) => (
          <>
            <dl data-testid="deal-detail">
              <dt>supplier</dt>
              <dd>
                <Address address={deal.supplier} />
              </dd>
              <dt>customer</dt>
              <dd>
                <Address address={deal.consumer} />
              </dd>
              <dt>status</dt>
              <dd>
                {deal.status}
                {deal.closeReason && ` (${deal.closeReason})`}
              </dd>
              <dt>paid</dt>
              <dd>{terms.format('snm', deal.paid)}</dd>
              <dt>refund</dt>
              <dd>{deal.refund === null ? '—' : terms.format('snm', deal.refund)}</dd>
            </dl>
            <h3>Terms over time</h3>
            <ul>
              {conditions.map((c) => (
                <li key={c.since}>
                  from {terms.format('utc', c.since)}: {terms.format('price', c.price)} for {terms.format('duration', c.duration)}
                </li>
              ))}
            </ul>
            <h3>Bills</h3>
            <table>
              <thead>
                <tr>
                  <th>time</th>
                  <th>paid</th>
                  <th>fee</th>
                  <th>span</th>
                  <th>running total</th>
                </tr>
              </thead>
              <tbody>
                {bills.map((b) => (
                  <tr key={`${b.block}-${b.from}`}>
                    <td>{terms.format('utc', b.time)}</td>
                    <td>{terms.format('snm', b.amount)}</td>
                    <td>{terms.format('snm', b.fee)}</td>
                    <td>{terms.format('span', b.to - b.from)}</td>
                    <td>{terms.format('snm', b.runningTotal)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h3>Change requests</h3>
            <ul>
              {changes.map((c, i) => (
                <li key={i}>
                  {c.side}: {terms.format('duration', c.duration)}, {c.outcome}
                </li>
              ))}
            </ul>
          </>
        )}
      </Show>
    </section>
  );
}

/** The worker's control-plane address for `supplier` (its endpoint record on the chain). */
async function workerUrl(api: ReturnType<typeof useConsole>['api'], supplier: string): Promise<string> {
  const record = await api.query.market.endpoints(supplier);
  const json = record.toJSON() as { url?: string } | null;
  if (!json?.url) throw new Error(`the supplier ${supplier} has published no control-plane address`);
  return bytesText(json.url);
}

export function TaskPage({ id }: { id: number }) {
  const { api, terms, account } = useConsole();
  const deal = useLoad(() => marketRpc<Deal | null>('deal', [id]), [id]);
  const [control, setControl] = useState<TaskControl | undefined>();
  const [task, setTask] = useState<TaskAnswer | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [image, setImage] = useState('docker.io/library/busybox:latest');
  const [command, setCommand] = useState('sh -c "while true; do date; sleep 1; done"');
  const [execCommand, setExecCommand] = useState('echo hello from exec');
  const [execOutput, setExecOutput] = useState('');
  const [logs, setLogs] = useState('');

  const run = async (what: string, action: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    try {
      await action();
    } catch (failure) {
      setError(failure instanceof WorkerError ? failure.message : describeError(failure));
    } finally {
      setBusy(undefined);
    }
  };

  const authorize = () =>
    run('waiting for the wallet to sign the session grant', async () => {
      if (!deal.data || !account) throw new Error('no open deal or no account');
      const url = await workerUrl(api, deal.data.supplier);
      const now = await chainNow(api);
      const session = await openSession(terms, account, id, now);
      const next = new TaskControl(terms, url, id, session);
      setControl(next);
      setTask(await next.status());
    });

  // Follows the output while the page is open: a stream from the worker, resumed from the last
  // cursor when it breaks while the task runs.
  useEffect(() => {
    if (!control) return;
    const stop = new AbortController();
    (async () => {
      let cursor = 0;
      while (!stop.signal.aborted) {
        let running = true;
        try {
          await control.followLogs(
            cursor,
            (page) => {
              if (page.text) setLogs((previous) => previous + page.text);
              cursor = page.next;
              running = page.running;
            },
            stop.signal,
          );
        } catch (failure) {
          if (stop.signal.aborted) return;
          setError(describeError(failure));
        }
        // Ended (no task yet, or it stopped): look again in a while.
        await new Promise((resolve) => setTimeout(resolve, running ? 500 : 2000));
      }
    })();
    return () => stop.abort();
  }, [control]);

  const argv = (text: string) => (text.match(/"[^"]*"|\S+/g) ?? []).map((part) => part.replace(/^"|"$/g, ''));

  return (
    <section>
      <h2>Task of deal {id}</h2>
      <Show loaded={deal} what={`deal ${id}`}>
        {(data) =>
          !data ? (
            <p>Deal {id} is not open.</p>
          ) : (
            <>
              <p>
                Worker <Address address={data.supplier} />, customer <Address address={data.consumer} />
              </p>
              {!control ? (
                <button data-testid="authorize" onClick={authorize} disabled={!!busy}>
                  Authorize this page for an hour (one wallet signature)
                </button>
              ) : (
                <>
                  <p data-testid="task-status">
                    {task?.task ? `${task.task.status}${task.task.exit_code != null ? ` (exit ${task.task.exit_code})` : ''}` : 'no task'}
                  </p>
                  <form
                    data-testid="task-start"
                    onSubmit={(e) => {
                      e.preventDefault();
                      run('starting', async () => setTask(await control.start({ image, command: argv(command) })));
                    }}
                  >
                    <label>
                      image <input name="image" value={image} onInput={(e) => setImage((e.target as HTMLInputElement).value)} />
                    </label>
                    <label>
                      command <input name="command" value={command} onInput={(e) => setCommand((e.target as HTMLInputElement).value)} />
                    </label>
                    <button type="submit" disabled={!!busy}>
                      Start
                    </button>
                  </form>
                  <button disabled={!!busy} onClick={() => run('asking', async () => setTask(await control.status()))}>
                    Refresh status
                  </button>
                  <button disabled={!!busy} data-testid="task-stop" onClick={() => run('stopping', async () => {
                    await control.stop();
                    setTask(await control.status());
                  })}>
                    Stop
                  </button>
                  <h3>Logs (followed live)</h3>
                  <pre data-testid="task-logs" class="logs">
                    {logs}
                  </pre>
                  <form
                    data-testid="task-exec"
                    onSubmit={(e) => {
                      e.preventDefault();
                      setExecOutput('');
                      run('running the command', () =>
                        control.exec(argv(execCommand), (event) => {
                          if ('output' in event) setExecOutput((previous) => previous + event.output);
                          else setExecOutput((previous) => `${previous}\n[exit ${event.ended.exitCode}]`);
                        }),
                      );
                    }}
                  >
                    <label>
                      exec <input name="exec" value={execCommand} onInput={(e) => setExecCommand((e.target as HTMLInputElement).value)} />
                    </label>
                    <button type="submit" disabled={!!busy}>
                      Run
                    </button>
                  </form>
                  <pre data-testid="exec-output">{execOutput}</pre>
                </>
              )}
              {busy && <p class="progress">{busy}…</p>}
              {error && (
                <p class="error" role="alert" data-testid="task-error">
                  {error}
                </p>
              )}
            </>
          )
        }
      </Show>
    </section>
  );
}
