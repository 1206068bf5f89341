"""The oracle teacher: solves any generated task in the simulated world and writes the gold
trajectory.

Introduced in notebook 04 (`04_building_training_data`). `SOLVERS` maps each intent to its
solver: `agent_lab.data.solvers` holds the one-call ones, `agent_lab.data.multi_step` those that
chain calls; a new intent is one function there and one line here.

A `Trajectory` is template-free: a list of steps (thought, tool name, arguments, observation)
and a final thought and answer. `agent_lab.data.render` renders it in any template. Every task is
solved in a fresh `World(seed=WORLD_SEED)`, so the same task always gives the same trajectory.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from agent_lab.data import multi_step, solvers
from agent_lab.data.queries import Task
from agent_lab.data.solver_steps import Run
from agent_lab.world.tools import World

WORLD_SEED = 0
FINAL_THOUGHT = {"en": "I now know the final answer", "zh": "我已经知道最终答案了"}


@dataclass
class Trajectory:
    task_id: str
    query: str
    lang: str
    intent: str
    kind: str
    steps: list[dict] = field(
        default_factory=list
    )  # {"thought", "name", "arguments", "observation"}
    final_thought: str = ""
    final_answer: str = ""
    source: str = "oracle"
    reward: float = 1.0

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def tool_names(self) -> list[str]:
        return [s["name"] for s in self.steps]


SOLVERS = {  # intent -> solver: a new intent is one function and one line here
    "no_tool": solvers.no_tool,
    "weather_now": solvers.weather,
    "weather_day": solvers.weather,
    "free_slots": solvers.free_slots,
    "team_members": solvers.team_members,
    "flight_search": solvers.flight_search,
    "product_recommend": solvers.product_recommend,
    "product_info": solvers.product_info,
    "product_marketing": solvers.product_marketing,
    "recipe": solvers.recipe,
    "fire_check": solvers.fire_check,
    "fire_alarm": solvers.emergency_call,
    "police": solvers.emergency_call,
    "fireman": solvers.emergency_call,
    "repo_commit": solvers.repo_commit,
    "web": solvers.web,
    "calc": solvers.calc,
    "convert": solvers.convert,
    "schedule_meeting": multi_step.schedule_meeting,
    "book_cheapest": multi_step.book_cheapest,
    "fire_emergency": multi_step.fire_emergency,
    "book_given_flight": multi_step.book_given_flight,
    "meeting_at_busy_time": multi_step.meeting_at_busy_time,
}


def solve(task: Task, world: World | None = None) -> Trajectory:
    """The gold trajectory for `task`: its intent's solver, run in `world` (ValueError for an
    unknown intent)."""
    solver = SOLVERS.get(task.intent)
    if solver is None:
        raise ValueError(f"the oracle cannot solve intent {task.intent!r}")
    run = Run(task, world or World(seed=WORLD_SEED))
    traj = Trajectory(task.id, task.query, task.lang, task.intent, task.kind)
    answer = solver(run, task.slots, task)
    traj.steps, traj.final_thought, traj.final_answer = run.steps, FINAL_THOUGHT[task.lang], answer
    return traj


def trajectory_from_json(text: str) -> Trajectory:
    return Trajectory(**json.loads(text))
