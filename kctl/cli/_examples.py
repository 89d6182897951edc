"""The Examples section of ``kctl <verb> --help`` and of the man pages, as kubectl has one.

Keyed by the command's path below ``kctl`` (``get``, ``sandbox up``). The texts are kctl's
own: they show what kctl adds (``--limit`` paging, the sandbox) next to kubectl's usual
forms. Each line is printed as written, two spaces in, as kubectl's ``templates.Examples``.
"""

from __future__ import annotations

import click

__all__ = ["EXAMPLES", "ExamplesCommand", "ExamplesGroup", "examples_for", "format_help"]

EXAMPLES: dict[str, str] = {
    "api-resources": """\
# Print the supported API resources
kctl api-resources

# Print the supported API resources with more information
kctl api-resources -o wide

# Print the namespaced resources of the apps group, names only
kctl api-resources --namespaced=true --api-group=apps -o name
""",
    "api-versions": """\
# Print the supported API versions
kctl api-versions
""",
    "apply": """\
# Apply the configuration in deployment.yaml
kctl apply -f ./deployment.yaml

# Apply every manifest under a directory, recursively
kctl apply -f ./manifests -R

# Apply the JSON passed into stdin
cat pod.json | kctl apply -f -

# Apply only the manifests labelled app=web, and show what would be sent
kctl apply -f ./manifests -l app=web --dry-run=server -o yaml

# Replace an object whose change cannot be patched (an immutable field)
kctl apply -f ./service.yaml --force
""",
    "attach": """\
# Get output from running pod mypod; use the 'kubectl.kubernetes.io/default-container' annotation
# for selecting the container to be attached or the first container in the pod will be chosen
kctl attach mypod

# Get output from ruby-container from pod mypod
kctl attach mypod -c ruby-container

# Switch to raw terminal mode; sends stdin to 'bash' in ruby-container from pod mypod
# and sends stdout/stderr from 'bash' back to the client
kctl attach mypod -c ruby-container -i -t

# Get output from the first pod of a replica set named nginx
kctl attach rs/nginx
""",
    "completion": """\
# Load completions for bash in the current shell
source <(kctl completion bash)

# Install them for zsh
kctl completion zsh > "${fpath[1]}/_kctl"
""",
    "delete": """\
# Delete the pods and services named in a manifest
kctl delete -f ./pod.json

# Delete a pod without waiting for it to be gone
kctl delete pod web-0 --wait=false

# Delete the pods and services labelled name=myLabel
kctl delete pods,services -l name=myLabel

# Delete every pod in the current namespace
kctl delete pods --all
""",
    "exec": """\
# Get output from running the 'date' command from pod mypod, using the first container by default
kctl exec mypod -- date

# Get output from running the 'date' command in ruby-container from pod mypod
kctl exec mypod -c ruby-container -- date

# Switch to raw terminal mode; sends stdin to 'bash' in ruby-container from pod mypod
# and sends stdout/stderr from 'bash' back to the client
kctl exec mypod -c ruby-container -i -t -- bash -il

# Get output from running 'date' command from the first pod of the deployment mydeployment
kctl exec deploy/mydeployment -- date
""",
    "get": """\
# List all pods in ps output format
kctl get pods

# List pods with more information (such as node name), across all namespaces
kctl get pods -o wide -A

# List a deployment and its pods' names only
kctl get deployment web -o name

# Print the names and images of all pods with custom columns
kctl get pods -o custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[*].image

# Feed the objects to jq: one List, as kubectl prints it
kctl get pods -o json | jq -r '.items[].metadata.name'

# Page through a large list: each page's metadata.continue is the next page's token
kctl get pods --limit 100 -o json > page1.json
kctl get pods --limit 100 -o json --continue "$(jq -r .metadata.continue page1.json)"

# List pods sorted by creation time
kctl get pods --sort-by=.metadata.creationTimestamp

# List deployments, then print each change to them until interrupted
kctl get deployments --watch
""",
    "logs": """\
# Print the logs of pod web-0 (its only container)
kctl logs web-0

# Follow the logs of every container of the pods labelled app=web
kctl logs -f -l app=web --all-containers

# Print the last 20 lines of the past hour
kctl logs web-0 --since=1h --tail=20
""",
    "port-forward": """\
# Listen on ports 5000 and 6000 locally, forwarding to 5000 and 6000 in the pod
kctl port-forward pod/mypod 5000 6000

# Listen on port 8443 locally, forwarding to the targetPort of the service's port named "https"
kctl port-forward service/myservice 8443:https

# Listen on a random port locally, forwarding to 5000 in the pod
kctl port-forward pod/mypod :5000
""",
    "sandbox": """\
# Start a background sandbox seeded with demo objects, then use it
kctl sandbox up --seed demo
kctl get pods -A

# Start it from scripts only when it is not running yet
kctl sandbox status || kctl sandbox up

# Stop it and forget its state
kctl sandbox down --purge
""",
    "sandbox up": """\
# Start a background sandbox seeded with demo objects
kctl sandbox up --seed demo

# Start again from an empty state
kctl sandbox up --fresh
""",
    "sandbox serve": """\
# Serve in the foreground on a fixed port, every third pod list failing with 429
kctl sandbox serve --port 6443 --fault status=429,every=3,path=/api/v1/pods
""",
    "sandbox status": """\
# Exit non-zero when no sandbox is running
kctl sandbox status || kctl sandbox up
""",
    "sandbox down": """\
# Stop the background sandbox and remove its state
kctl sandbox down --purge
""",
    "version": """\
# Print the client and server versions
kctl version

# Print the client version only, as JSON
kctl version --client -o json
""",
    "watch": """\
# Watch pods in the current namespace, resuming after a dropped connection
kctl watch pods

# Watch deployments across all namespaces, changes only
kctl watch deployments -A --since-now
""",
}


def _key(ctx: click.Context) -> str:
    names: list[str] = []
    while ctx.parent is not None:
        names.append(ctx.command.name or "")
        ctx = ctx.parent
    return " ".join(reversed(names))


def examples_for(ctx: click.Context) -> str:
    """The command's examples, or "" when it has none."""
    return EXAMPLES.get(_key(ctx), "")


def format_help(command: click.Command, ctx: click.Context, formatter: click.HelpFormatter) -> None:
    """click's help with kubectl's layout: the Examples come before the Options."""
    command.format_usage(ctx, formatter)
    command.format_help_text(ctx, formatter)
    examples = examples_for(ctx)
    if examples:
        formatter.write_paragraph()
        formatter.write_heading("Examples")
        for line in examples.splitlines():
            # Written as is: click would re-wrap a command line that is long.
            formatter.write(f"  {line}\n" if line else "\n")
    command.format_options(ctx, formatter)
    command.format_epilog(ctx, formatter)


class ExamplesCommand(click.Command):
    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        format_help(self, ctx, formatter)


class ExamplesGroup(click.Group):
    command_class = ExamplesCommand

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        format_help(self, ctx, formatter)
