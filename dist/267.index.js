export const id = 267;
export const ids = [267];
export const modules = {

/***/ 1267:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   verifyByImage: () => (/* binding */ verifyByImage)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3838);
/* harmony import */ var _tools_exec_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2122);
/* harmony import */ var _verifier_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1402);



/**
 * The seed's check: `uname -m` in a target-arch container. `docker pull --platform` retags the
 * image to the variant it pulled, so pulls run one at a time, each resolved to its image ID, and
 * the containers then run concurrently by ID. Afterwards every tag points where it pointed before
 * (a tag that did not exist is removed again), so a later `docker run <image>` in the job runs the
 * host's variant as it would have without this action; variants pulled only for this check are
 * removed.
 */
async function verifyByImage(targets, hostMachine, docker, override) {
    const images = [
        ...new Set(targets.map(t => override || t.platform.verifyImage).filter(Boolean))
    ];
    const before = new Map();
    for (const image of images)
        before.set(image, await docker.imageId(image));
    const resolved = [];
    try {
        for (const target of targets)
            resolved.push(await resolve(target, docker, override));
        return await Promise.all(resolved.map(r => runUname(r, hostMachine, docker)));
    }
    finally {
        await restoreTags(docker, before, resolved);
    }
}
async function resolve(target, docker, override) {
    const image = override || target.platform.verifyImage;
    if (!image) {
        return {
            target,
            // Stryker disable next-line StringLiteral: a skipped target's image is never pulled, tagged or shown
            image: '',
            skipped: `no default verify image has ${target.platform.name}; set verify-image to check it`
        };
    }
    const pulled = await docker.pull(image, target.platform.name);
    if (pulled.code !== 0) {
        const why = (0,_tools_exec_js__WEBPACK_IMPORTED_MODULE_1__/* .lastLine */ .f)(pulled.stderr);
        const absent = /no matching manifest|does not provide the specified platform|not found.*platform/i.test(why);
        return {
            target,
            image,
            problem: absent
                ? `${image} has no ${target.platform.name} variant (${why}); name an image that has one in verify-image, or use verify: probe`
                : `could not pull ${image} for ${target.platform.name}: ${why}; check verify-image and that its registry is reachable`
        };
    }
    return { target, image, id: await docker.imageId(image) };
}
async function runUname(r, hostMachine, docker) {
    const { target, image, id, problem, skipped } = r;
    if (skipped)
        return { target, skipped };
    if (problem || !id)
        return { target, problem: problem ?? `${image} could not be resolved after pulling` };
    const result = await docker.run(id, ['uname', '-m'], ['--network', 'none']);
    const expected = (0,_verifier_js__WEBPACK_IMPORTED_MODULE_2__/* .expectedMachine */ .A)(target, hostMachine);
    if (result.code !== 0) {
        return {
            target,
            problem: /exec format error/i.test(result.stderr)
                ? `${image} (${target.platform.name}) failed with exec format error: no working handler inside containers (was it registered with F?)`
                : `uname -m in ${image} (${target.platform.name}) exited ${result.code}: ${(0,_tools_exec_js__WEBPACK_IMPORTED_MODULE_1__/* .lastLine */ .f)(result.stderr)}`
        };
    }
    const machine = result.stdout.trim();
    if (machine !== expected) {
        return {
            target,
            machine,
            problem: `${image} for ${target.platform.name} printed ${machine || '(nothing)'}, expected ${expected}`
        };
    }
    return { target, machine };
}
/** Puts each tag back where it pointed and removes variants that only this check pulled. */
async function restoreTags(docker, before, resolved) {
    for (const [image, was] of before) {
        const now = await docker.imageId(image);
        if (now === was)
            continue;
        const result = was ? await docker.tag(was, image) : await docker.untag(image);
        if (result.code !== 0)
            _actions_core__WEBPACK_IMPORTED_MODULE_0__.warning(`Could not put the tag ${image} back (${(0,_tools_exec_js__WEBPACK_IMPORTED_MODULE_1__/* .lastLine */ .f)(result.stderr)}); it now names the ${was ? 'variant verified last' : 'variant pulled for verification'}.`);
    }
    // Stryker disable next-line MethodExpression: undefined is never an image ID looked up in it
    const kept = new Set([...before.values()].filter(Boolean));
    for (const id of new Set(resolved.map(r => r.id).filter(Boolean))) {
        // only a variant nothing names any more (never one the user has under another tag)
        // Stryker disable next-line ConditionalExpression,LogicalOperator: docker image rm refuses an ID that still has a tag; the checks only spare that call
        if (!kept.has(id) && (await docker.repoTags(id))?.length === 0)
            await docker.untag(id);
    }
}


/***/ })

};

//# sourceMappingURL=267.index.js.map